import { describe, expect, it } from 'vitest';
import { assertTimezone, evaluateChangeWindow, parseWindow } from '../../src/compliance/change-window.js';
import { InputError } from '../../src/errors.js';

const H = 3_600_000;
const M = 60_000;

function at(
  now: string,
  window = '02:00-06:00',
  timezone = 'America/Sao_Paulo',
  expectedMs = H,
  maxMs = 4 * H,
) {
  return evaluateChangeWindow({
    window: parseWindow('change-window', window),
    timezone,
    now: new Date(now),
    expectedDurationMs: expectedMs,
    maxDurationMs: maxMs,
  });
}

describe('change window: America/Sao_Paulo (no DST since 2019), default 02:00-06:00', () => {
  it('a deploy at 02:30 BRT starts and ends inside', () => {
    const w = at('2026-03-10T05:30:00Z');
    expect(w).toMatchObject({
      spec: '02:00-06:00',
      timezone: 'America/Sao_Paulo',
      localTime: '2026-03-10 02:30',
      utcOffset: '-03:00',
      inside: true,
      opensAt: '2026-03-10T05:00:00.000Z',
      closesAt: '2026-03-10T09:00:00.000Z',
      expectedEnd: '2026-03-10T06:30:00.000Z',
      expectedEndLocal: '2026-03-10 03:30',
      endsInside: true,
      withinMaxDuration: true,
      crossesMidnight: false,
      expectedDurationMinutes: 60,
      maxDurationMinutes: 240,
    });
  });

  it('the window opens at 02:00 and closes at 06:00 (exclusive)', () => {
    expect(at('2026-03-10T05:00:00Z').inside).toBe(true);
    expect(at('2026-03-10T04:59:59Z').inside).toBe(false);
    expect(at('2026-03-10T08:59:59Z').inside).toBe(true);
    expect(at('2026-03-10T09:00:00Z').inside).toBe(false);
  });

  it('outside the window it names the next opening', () => {
    const w = at('2026-03-10T17:00:00Z');
    expect(w).toMatchObject({ inside: false, endsInside: false, localTime: '2026-03-10 14:00' });
    expect(w.opensAtLocal).toBe('2026-03-11 02:00');
    expect(w.opensAt).toBe('2026-03-11T05:00:00.000Z');
    expect(at('2026-03-10T04:00:00Z').opensAt).toBe('2026-03-10T05:00:00.000Z');
  });

  it('a deploy that would run past 06:00 does not end inside', () => {
    expect(at('2026-03-10T08:30:00Z').endsInside).toBe(false);
    expect(at('2026-03-10T08:00:00Z').endsInside).toBe(true);
  });

  it('checks the expected duration against the maximum', () => {
    expect(at('2026-03-10T05:00:00Z', '02:00-06:00', 'America/Sao_Paulo', 4 * H).withinMaxDuration).toBe(
      true,
    );
    const long = at('2026-03-10T05:00:00Z', '02:00-06:00', 'America/Sao_Paulo', 4 * H + M);
    expect(long).toMatchObject({ withinMaxDuration: false, endsInside: false, expectedDurationMinutes: 241 });
  });

  it('the southern summer (former DST dates) stays at -03:00', () => {
    expect(at('2026-01-15T05:30:00Z')).toMatchObject({ utcOffset: '-03:00', inside: true });
    expect(at('2026-11-01T05:30:00Z')).toMatchObject({ utcOffset: '-03:00', inside: true });
  });
});

describe('change window across midnight (22:00-02:00)', () => {
  const wrap = (now: string, expected = H) => at(now, '22:00-02:00', 'America/Sao_Paulo', expected);

  it('is inside before and after midnight, in the same occurrence', () => {
    const evening = wrap('2026-03-11T02:30:00Z'); // 23:30 on the 10th
    expect(evening).toMatchObject({ inside: true, crossesMidnight: true, localTime: '2026-03-10 23:30' });
    expect(evening.opensAtLocal).toBe('2026-03-10 22:00');
    expect(evening.closesAtLocal).toBe('2026-03-11 02:00');
    const night = wrap('2026-03-11T04:00:00Z'); // 01:00 on the 11th
    expect(night).toMatchObject({ inside: true, opensAt: evening.opensAt, closesAt: evening.closesAt });
  });

  it('is outside from 02:00 to 22:00', () => {
    expect(wrap('2026-03-11T05:00:00Z').inside).toBe(false);
    expect(wrap('2026-03-11T00:59:00Z').inside).toBe(false);
    expect(wrap('2026-03-11T01:00:00Z').inside).toBe(true);
  });

  it('a deploy that ends after midnight but before 02:00 ends inside', () => {
    expect(wrap('2026-03-11T02:30:00Z', 2 * H).endsInside).toBe(true);
    expect(wrap('2026-03-11T02:30:00Z', 3 * H).endsInside).toBe(false);
  });

  it('accepts 24:00 as the end of the day', () => {
    expect(parseWindow('change-window', '22:00-24:00')).toMatchObject({ text: '22:00-00:00' });
    expect(at('2026-03-11T02:30:00Z', '22:00-24:00').inside).toBe(true);
  });

  it('00:00-24:00 is the whole day: inside at any time, a day-long deploy ends inside', () => {
    expect(parseWindow('change-window', '00:00-24:00')).toMatchObject({ text: '00:00-24:00' });
    for (const now of ['2026-03-10T03:00:00Z', '2026-03-10T02:59:59Z', '2026-03-10T15:00:00Z'])
      expect(at(now, '00:00-24:00').inside, now).toBe(true);
    expect(() => parseWindow('change-window', '06:00-06:00')).toThrow(/starts and ends at the same time/);
  });
});

describe('change window across DST transitions', () => {
  it('America/New_York spring forward: a window over the gap is an hour shorter', () => {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z).
    const w = at('2026-03-08T07:30:00Z', '01:00-04:00', 'America/New_York');
    expect(w).toMatchObject({
      inside: true,
      localTime: '2026-03-08 03:30',
      utcOffset: '-04:00',
      opensAt: '2026-03-08T06:00:00.000Z',
      closesAt: '2026-03-08T08:00:00.000Z',
    });
    expect(w.endsInside).toBe(false);
  });

  it('America/New_York spring forward: a start the clocks skip opens when they jump', () => {
    const before = at('2026-03-08T06:59:00Z', '02:00-06:00', 'America/New_York');
    expect(before).toMatchObject({
      inside: false,
      opensAt: '2026-03-08T07:00:00.000Z',
      opensAtLocal: '2026-03-08 03:00',
    });
    expect(at('2026-03-08T07:00:00Z', '02:00-06:00', 'America/New_York').inside).toBe(true);
  });

  it('America/New_York spring forward: a window entirely in the gap does not occur that day', () => {
    const w = at('2026-03-08T07:00:00Z', '02:15-02:45', 'America/New_York');
    expect(w.inside).toBe(false);
    expect(w.opensAtLocal).toBe('2026-03-09 02:15');
  });

  it('America/New_York spring forward: a window across midnight closes when the clocks skip its end', () => {
    const w = at('2026-03-08T06:30:00Z', '22:00-02:00', 'America/New_York');
    expect(w).toMatchObject({
      inside: true,
      opensAt: '2026-03-08T03:00:00.000Z',
      closesAt: '2026-03-08T07:00:00.000Z',
    });
  });

  it('America/New_York fall back: a repeated hour counts both times', () => {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z); 01:00-01:30 happens twice.
    const second = at('2026-11-01T06:10:00Z', '01:00-01:30', 'America/New_York');
    expect(second).toMatchObject({
      inside: true,
      localTime: '2026-11-01 01:10',
      utcOffset: '-05:00',
      opensAt: '2026-11-01T05:00:00.000Z',
      closesAt: '2026-11-01T06:30:00.000Z',
    });
    const w = at('2026-11-01T04:00:00Z', '00:00-02:00', 'America/New_York', 2.5 * H);
    expect(w).toMatchObject({ inside: true, closesAt: '2026-11-01T07:00:00.000Z', endsInside: true });
  });

  it('Europe/Lisbon spring forward: 01:00 WET becomes 02:00 WEST', () => {
    const w = at('2026-03-29T01:30:00Z', '00:30-03:00', 'Europe/Lisbon');
    expect(w).toMatchObject({
      inside: true,
      localTime: '2026-03-29 02:30',
      utcOffset: '+01:00',
      opensAt: '2026-03-29T00:30:00.000Z',
      closesAt: '2026-03-29T02:00:00.000Z',
      endsInside: false,
    });
  });

  it('Europe/Lisbon fall back: 02:00 WEST becomes 01:00 WET', () => {
    const w = at('2026-10-25T01:15:00Z', '01:00-01:30', 'Europe/Lisbon');
    expect(w).toMatchObject({
      inside: true,
      localTime: '2026-10-25 01:15',
      utcOffset: '+00:00',
      opensAt: '2026-10-25T00:00:00.000Z',
      closesAt: '2026-10-25T01:30:00.000Z',
    });
    // The default window the next day is back to four real hours.
    const next = at('2026-10-26T03:00:00Z', '02:00-06:00', 'Europe/Lisbon');
    expect(next).toMatchObject({ opensAt: '2026-10-26T02:00:00.000Z', closesAt: '2026-10-26T06:00:00.000Z' });
  });
});

describe('change window inputs', () => {
  it.each([['2-6'], ['02:00'], ['25:00-06:00'], ['02:60-06:00'], ['02:00-02:00'], ['two to six']])(
    'rejects %s with an error naming the input',
    (raw) => {
      expect(() => parseWindow('change-window', raw)).toThrow(InputError);
      expect(() => parseWindow('change-window', raw)).toThrow(/^Input "change-window": .*HH:MM-HH:MM/);
    },
  );

  it('accepts single-digit hours and spaces', () => {
    expect(parseWindow('change-window', ' 2:00 - 6:00 ').text).toBe('02:00-06:00');
  });

  it('knows IANA zones and rejects others', () => {
    expect(assertTimezone('timezone', 'America/Sao_Paulo')).toBe('America/Sao_Paulo');
    expect(() => assertTimezone('timezone', 'Mars/Olympus')).toThrow(
      /^Input "timezone": "Mars\/Olympus" is not a time zone/,
    );
  });
});
