import { describe, expect, it } from 'vitest';
import { toJsonReport } from '../../src/report/json-report.js';
import { largeOutcome, mixedOutcome, NOW } from './fixtures.js';

const tool = { name: 'deploy-gates', version: '1.4.0' };

describe('toJsonReport', () => {
  it('records the whole outcome', () => {
    const outcome = mixedOutcome();
    const report = toJsonReport(outcome, { tool, run: { repository: 'acme/app', runId: 42, attempt: 2 } });
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'deploy-gates', version: '1.4.0' },
      generatedAt: NOW,
      decision: 'fail',
      mode: 'enforce',
      failOn: 'high',
      counts: { passed: 1, failed: 3, waived: 1, errored: 1, total: 6 },
      factsSha256: 'f'.repeat(64),
      blocking: ['no-public-db', 'backup-verified'],
      run: { repository: 'acme/app', runId: 42, attempt: 2 },
    });
    expect(report.policies.map((p) => p.id)).toEqual(['security', 'operations', 'builtin-hipaa']);
    expect(report.waivers.map((w) => w.state)).toEqual([
      'active',
      'expiring',
      'expired',
      'unused',
      'unknown-rule',
    ]);
    expect(report.results.map((r) => [r.ruleId, r.status])).toEqual([
      ['tls-min-version', 'pass'],
      ['no-public-db', 'fail'],
      ['backup-verified', 'error'],
      ['runbook-linked', 'fail'],
      ['change-window', 'waived'],
      ['audit-log-retention', 'fail'],
    ]);
    expect(report.results[1]?.violations.map((v) => v.pointer)).toEqual([
      '/database/publicAccess',
      '/database/allowedCidrs/0',
    ]);
    expect(report.results[4]?.waivers.map((w) => w.ticket)).toEqual(['SEC-42']);
  });

  it('writes null, not nothing, for the file of a builtin policy', () => {
    const json = JSON.parse(JSON.stringify(toJsonReport(mixedOutcome(), { tool }))) as {
      results: { ruleId: string; file?: unknown }[];
    };
    const builtin = json.results.find((r) => r.ruleId === 'audit-log-retention');
    expect(builtin).toHaveProperty('file', null);
    expect(json.results[0]).toHaveProperty('file', 'policies/security.json');
  });

  it('has no run when none is given', () => {
    expect(toJsonReport(mixedOutcome(), { tool })).not.toHaveProperty('run');
  });

  it('is not affected by later changes to the outcome', () => {
    const outcome = mixedOutcome();
    const report = toJsonReport(outcome, { tool });
    outcome.counts.failed = 99;
    outcome.results[1]?.violations.push({ pointer: '/x', message: 'm', keyword: 'k', schemaPath: '#' });
    expect(report.counts.failed).toBe(3);
    expect(report.results[1]?.violations).toHaveLength(2);
  });

  it('never truncates', () => {
    const report = toJsonReport(largeOutcome({ total: 20_000, failing: 10, errors: 0, waived: 0 }), { tool });
    expect(report.results).toHaveLength(20_000);
    expect(report.blocking).toHaveLength(10);
  });
});
