import { describe, expect, it } from 'vitest';
import type { WaiverReport } from '../../src/policy/types.js';
import { type Annotation, toAnnotations } from '../../src/report/annotations.js';
import {
  changeWindowWaiver,
  criticalFailure,
  mixedOutcome,
  outcomeOf,
  result,
  unaudited,
  violation,
  waiverReports,
} from './fixtures.js';

const levels = (annotations: Annotation[]) => annotations.map((a) => `${a.level} ${a.title}`);

function failures(count: number, severity: 'critical' | 'low') {
  return Array.from({ length: count }, (_, i) =>
    result({ ruleId: `rule-${String(i).padStart(2, '0')}`, severity, line: i + 1 }),
  );
}

describe('toAnnotations', () => {
  const annotations = toAnnotations(mixedOutcome());

  it('makes blocking results errors, other failures and lapsing waivers warnings, idle waivers notices', () => {
    expect(levels(annotations)).toEqual([
      'error no-public-db (critical)',
      'error backup-verified (high)',
      'warning audit-log-retention (medium)',
      'warning runbook-linked (low)',
      'warning Waiver for coverage-threshold expires soon',
      'warning Waiver for pen-test expired',
      'notice Unused waiver for runbook-linked',
      'notice Waiver for unknown rule no-such-rule',
    ]);
  });

  it('points at the rule in its policy file', () => {
    expect(annotations[0]).toEqual({
      level: 'error',
      title: 'no-public-db (critical)',
      file: 'policies/security.json',
      startLine: 30,
      message: [
        'The database accepts connections from the internet',
        '/database/publicAccess: must be false',
        '/database/allowedCidrs/0: must not be 0.0.0.0/0',
        'Remediation: Restrict the database to the private network.',
        'Reference: HIPAA §164.312(e)(1)',
      ].join('\n'),
    });
  });

  it('has no file for builtin policies', () => {
    const builtin = annotations.find((a) => a.title === 'audit-log-retention (medium)');
    expect(builtin).toBeDefined();
    expect(builtin).not.toHaveProperty('file');
    expect(builtin).not.toHaveProperty('startLine');
  });

  it('says when a waiver expires and that an expired one is not honoured', () => {
    expect(annotations[4]?.message).toBe(
      'The waiver for coverage-threshold (approved by lead@example.com, ticket ENG-7) expires in 3 days ' +
        '(2025-06-04T00:00:00Z); renew it or fix the rule before the gate starts failing.',
    );
    expect(annotations[5]?.message).toBe(
      'The waiver for pen-test (approved by ciso@example.com, ticket SEC-9) expired on 2025-05-01T00:00:00Z ' +
        'and is no longer honoured.',
    );
    const tomorrow: WaiverReport[] = [
      { waiver: changeWindowWaiver, state: 'expiring', daysLeft: 1, ...unaudited },
    ];
    expect(toAnnotations(outcomeOf([], { waivers: tomorrow }))[0]?.message).toContain('expires in 1 day (');
  });

  it('turns everything into warnings in audit mode', () => {
    const audit = toAnnotations(mixedOutcome({ mode: 'audit', decision: 'pass' }));
    expect(audit.filter((a) => a.level === 'error')).toEqual([]);
    expect(levels(audit).slice(0, 4)).toEqual([
      'warning no-public-db (critical)',
      'warning backup-verified (high)',
      'warning audit-log-retention (medium)',
      'warning runbook-linked (low)',
    ]);
  });

  it('caps errors at 10, the last one counting the rest', () => {
    const errors = toAnnotations(outcomeOf(failures(25, 'critical'))).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(10);
    expect(errors.slice(0, 9).map((a) => a.title)).toEqual(
      Array.from({ length: 9 }, (_, i) => `rule-0${i} (critical)`),
    );
    expect(errors[9]).toEqual({
      level: 'error',
      title: '16 more failing rules',
      message: 'and 16 more failing rules; see the job summary and the JSON report',
    });
  });

  it('shows exactly 10 without an overflow line', () => {
    const errors = toAnnotations(outcomeOf(failures(10, 'critical')));
    expect(errors).toHaveLength(10);
    expect(errors.every((a) => a.title.endsWith('(critical)'))).toBe(true);
  });

  it('caps warnings at 10 the same way, and honours custom limits', () => {
    const outcome = outcomeOf(failures(12, 'low'), { waivers: waiverReports });
    const warnings = toAnnotations(outcome).filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(10);
    // 12 failures and 2 lapsing waivers: 9 shown, 5 counted.
    expect(warnings[9]?.message).toBe('and 5 more warnings; see the job summary and the JSON report');
    const few = toAnnotations(outcome, { maxWarnings: 3 }).filter((a) => a.level === 'warning');
    expect(few.map((a) => a.title)).toEqual(['rule-00 (low)', 'rule-01 (low)', '12 more warnings']);
  });

  it('caps notices at 10', () => {
    const unused: WaiverReport[] = Array.from({ length: 12 }, (_, i) => ({
      waiver: {
        rule: `r${i}`,
        reason: 'x',
        approver: 'a',
        ticket: `T-${i}`,
        expiresAt: '2026-01-01T00:00:00Z',
      },
      state: 'unused',
      daysLeft: 200,
      ...unaudited,
    }));
    const notices = toAnnotations(outcomeOf([], { waivers: unused }));
    expect(notices).toHaveLength(10);
    expect(notices[9]?.message).toBe('and 3 more notices; see the job summary and the JSON report');
  });

  it('recognises blocking results that are copies of the result objects', () => {
    const outcome = outcomeOf([criticalFailure]);
    const copied = { ...outcome, blocking: outcome.blocking.map((r) => ({ ...r })) };
    expect(levels(toAnnotations(copied))).toEqual(['error no-public-db (critical)']);
  });

  it('keeps long violation lists short', () => {
    const many = result({
      ruleId: 'many',
      violations: Array.from({ length: 8 }, (_, i) => violation(`/items/${i}`, 'bad')),
    });
    const [annotation] = toAnnotations(outcomeOf([many]));
    expect(annotation?.message.split('\n')).toEqual([
      'many failed',
      '/items/0: bad',
      '/items/1: bad',
      '/items/2: bad',
      '/items/3: bad',
      '/items/4: bad',
      '… and 3 more violations',
      'Remediation: Fix many.',
      'Reference: Playbook §1',
    ]);
  });
});
