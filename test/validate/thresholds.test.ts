import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  assertTargetsExist,
  effectiveThresholds,
  holds,
  parseThresholds,
} from '../../src/validate/thresholds.js';

describe('thresholds', () => {
  it('parses k6-like lines per target, with severities', () => {
    expect(
      parseThresholds('all: p95<2000, error_rate<0.01\ncheck:API health: p(99)<=800@critical # tail'),
    ).toEqual([
      expect.objectContaining({
        id: 'all:p95<2000',
        target: 'all',
        metric: 'p95',
        op: '<',
        limit: 2000,
        severity: 'high',
      }),
      expect.objectContaining({ id: 'all:error_rate<0.01', metric: 'error_rate', limit: 0.01 }),
      expect.objectContaining({
        id: 'check:API health:p99<=800@critical',
        target: 'check:API health',
        severity: 'critical',
      }),
    ]);
  });

  it("starts from the playbook's numbers; a user line replaces the same target, metric and severity", () => {
    const ids = effectiveThresholds('all: p95<1500\ntag:database: p95<300').map((t) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'all:error_rate<0.01',
        'all:error_rate<=0.05@critical',
        'all:max<=30000@critical',
        'all:p95<1500',
        'tag:database:p95<300',
      ]),
    );
    expect(ids).not.toContain('all:p95<2000');
    expect(ids).not.toContain('tag:database:p95<500');
    const critical = effectiveThresholds('').find((t) => t.id === 'all:max<=30000@critical');
    expect(critical?.source).toMatch(/Immediate Rollback Triggers/);
  });

  it.each([
    ['all p95<2000', /has no target and expressions/],
    ['everything: p95<2000', /names the target "everything"/],
    ['all: p97<2000', /"p97<2000" in "all: p97<2000" is not a threshold expression/],
    ['all: p95<2000@urgent', /severity "urgent"/],
    ['all: error_rate<1.5', /gives error_rate 1.5/],
    ['check:x: p95<=-5', /"p95<=-5" gives p95 a negative bound/],
  ])('rejects %j naming the thresholds input', (text, message) => {
    let error: unknown;
    try {
      parseThresholds(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('thresholds');
    expect((error as Error).message).toMatch(message);
  });

  it("names a user threshold whose check or tag no check has; the playbook's own tags may be unused", () => {
    const checks = [{ name: 'API health', tags: ['api'] }];
    const error = (text: string) => {
      try {
        assertTargetsExist(effectiveThresholds(text), checks, 'checks.json');
      } catch (err) {
        return err as InputError;
      }
      return undefined;
    };
    expect(error('check:API health: p95<500\ntag:api: error_rate<0.05')).toBeUndefined();
    expect(error('')).toBeUndefined();
    expect(error('check:x: p95<=5')).toMatchObject({
      input: 'thresholds',
      problem: '"check:x:p95<=5" names the check "x", which none of the checks (checks.json) has',
    });
    expect(error('tag:database: p95<300')?.message).toMatch(/names the tag "database".*Name one of "api"/);
  });

  it('compares with each operator', () => {
    expect([
      holds(1, '<', 2),
      holds(2, '<', 2),
      holds(2, '<=', 2),
      holds(3, '>', 2),
      holds(2, '>=', 2),
      holds(0, '==', 0),
    ]).toEqual([true, false, true, true, true, true]);
  });
});
