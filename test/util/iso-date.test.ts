import { describe, expect, it } from 'vitest';
import { toIsoString } from '../../src/util/iso-date.js';

describe('toIsoString', () => {
  it('writes what Date#toISOString writes, at the edges of years 0–9999 and around leap days', () => {
    const edges = [
      '0000-01-01T00:00:00.000Z',
      '0000-02-29T23:59:59.999Z',
      '0001-01-01T00:00:00.000Z',
      '0999-12-31T23:59:59.999Z',
      '1600-02-29T12:00:00.000Z',
      '1900-02-28T23:59:59.999Z',
      '1900-03-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T00:00:00.001Z',
      '2024-12-31T23:59:59.999Z',
      '2026-01-15T12:00:00.000Z',
      '2100-03-01T00:00:00.010Z',
      '9999-12-31T23:59:59.999Z',
    ].map((s) => new Date(s));
    const beyond = [
      new Date(-62_167_219_200_001),
      new Date(253_402_300_800_000),
      new Date(8.64e15),
      new Date(-8.64e15),
    ];
    for (const date of [...edges, ...beyond]) expect(toIsoString(date)).toBe(date.toISOString());
  });

  it('agrees with Date#toISOString on many times spread over the representable range', () => {
    let seed = 20;
    const next = () => {
      // A fixed-seed generator: the same times on every run.
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const differ: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const t =
        i % 2 === 0 ? (next() * 2 - 1) * 8.64e15 : next() * 253_402_300_800_000 - 62_167_219_200_000 * next();
      const date = new Date(Math.round(t));
      if (toIsoString(date) !== date.toISOString()) differ.push(date.toISOString());
    }
    expect(differ).toEqual([]);
  });

  it('throws for an invalid date, as Date#toISOString does', () => {
    expect(() => toIsoString(new Date(Number.NaN))).toThrow(RangeError);
  });
});
