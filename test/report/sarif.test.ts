import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import type { Log, Result, Run } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, toRelativeUri, toSarif } from '../../src/report/sarif.js';
import { sarifValidator } from '../support/sarif-schema.js';
import {
  changeWindowWaiver,
  criticalFailure,
  errored,
  lowFailure,
  mixedOutcome,
  NOW,
  outcomeOf,
  passing,
  result as ruleResult,
  violation,
} from './fixtures.js';

let validateSarif: ValidateFunction;

beforeAll(() => {
  validateSarif = sarifValidator();
});

function onlyRun(log: Log): Run {
  const [run] = log.runs;
  if (run === undefined) throw new Error('no run');
  return run;
}

function resultFor(run: Run, ruleId: string): Result {
  const found = run.results?.find((r) => r.ruleId === ruleId);
  if (found === undefined) throw new Error(`no result for ${ruleId}`);
  return found;
}

describe('toSarif', () => {
  const log = toSarif(mixedOutcome(), {
    toolVersion: '1.4.0',
    informationUri: 'https://example.com/deploy-gates',
  });
  const run = onlyRun(log);

  it('validates against the official SARIF 2.1.0 schema', () => {
    const valid = validateSarif(log);
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has a validator that rejects what the schema forbids', () => {
    const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    const first = broken.runs[0]?.results[0];
    if (first === undefined) throw new Error('no result');
    delete first.message;
    first.level = 'fatal';
    expect(validateSarif(broken)).toBe(false);
  });

  it('names the tool and the schema', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({
      name: 'deploy-gates',
      version: '1.4.0',
      informationUri: 'https://example.com/deploy-gates',
    });
  });

  it('has one rule per rule id, in the order of the results', () => {
    expect(run.tool.driver.rules?.map((rule) => rule.id)).toEqual([
      'tls-min-version',
      'no-public-db',
      'backup-verified',
      'runbook-linked',
      'change-window',
      'audit-log-retention',
    ]);
  });

  it('lists a rule once even when several results share its id', () => {
    const twice = toSarif(outcomeOf([criticalFailure, { ...criticalFailure, policyId: 'other' }]), {
      toolVersion: '1',
    });
    expect(onlyRun(twice).tool.driver.rules?.map((rule) => rule.id)).toEqual(['no-public-db']);
    expect(onlyRun(twice).results?.map((r) => r.ruleIndex)).toEqual([0, 0]);
  });

  it('describes a rule with its title, reference, remediation and severities', () => {
    const rule = run.tool.driver.rules?.[1];
    expect(rule).toEqual({
      id: 'no-public-db',
      name: 'Database is not publicly reachable',
      shortDescription: { text: 'Database is not publicly reachable' },
      fullDescription: { text: 'HIPAA §164.312(e)(1)' },
      help: {
        text: 'Restrict the database to the private network.',
        markdown:
          '**Remediation:** Restrict the database to the private network.\n\n' +
          '**Reference:** HIPAA §164.312(e)(1)\n\nMore: https://example.com/rules/no-public-db',
      },
      helpUri: 'https://example.com/rules/no-public-db',
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['security', 'database'],
        severity: 'critical',
        policy: 'security',
        'security-severity': '9.5',
      },
    });
  });

  it('maps severity to level and security-severity', () => {
    const byId = new Map(run.tool.driver.rules?.map((rule) => [rule.id, rule]));
    const summary = (id: string) => [
      byId.get(id)?.defaultConfiguration?.level,
      byId.get(id)?.properties?.['security-severity'],
    ];
    expect(summary('no-public-db')).toEqual(['error', '9.5']);
    expect(summary('tls-min-version')).toEqual(['error', '8.0']);
    expect(summary('audit-log-retention')).toEqual(['warning', '5.5']);
    expect(summary('runbook-linked')).toEqual(['note', '3.0']);
  });

  it('reports fail, error and waived results but not passes', () => {
    expect(run.results?.map((r) => [r.ruleId, r.level, r.kind])).toEqual([
      ['no-public-db', 'error', 'fail'],
      ['backup-verified', 'error', 'fail'],
      ['runbook-linked', 'note', 'fail'],
      ['change-window', 'error', 'fail'],
      ['audit-log-retention', 'warning', 'fail'],
    ]);
  });

  it('reports a rule that errored as an error whatever its severity', () => {
    const lowError = toSarif(outcomeOf([{ ...errored, severity: 'low' }]), { toolVersion: '1' });
    expect(onlyRun(lowError).results?.[0]?.level).toBe('error');
  });

  it('points each result at its rule descriptor', () => {
    const rules = run.tool.driver.rules ?? [];
    for (const result of run.results ?? []) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    }
  });

  it('puts the violations in the message', () => {
    expect(resultFor(run, 'no-public-db').message.text).toBe(
      'The database accepts connections from the internet\n' +
        '/database/publicAccess: must be false\n' +
        '/database/allowedCidrs/0: must not be 0.0.0.0/0',
    );
    expect(resultFor(run, 'change-window').message.text).toBe(
      'Outside the change window (waived)\n/changeWindow/open: must be true',
    );
  });

  it('locates results in the policy file, or by name for builtin policies', () => {
    expect(resultFor(run, 'no-public-db').locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'policies/security.json', uriBaseId: '%SRCROOT%' },
          region: { startLine: 30 },
        },
      },
    ]);
    // Code scanning refuses a result without a file: a builtin policy's is the policy as shipped, or the
    // workflow that ran the gate when the runner names it.
    expect(resultFor(run, 'audit-log-retention').locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'policies/hipaa', uriBaseId: '%SRCROOT%' } },
        logicalLocations: [{ fullyQualifiedName: 'builtin-hipaa/audit-log-retention', kind: 'module' }],
      },
    ]);
    const inWorkflow = toSarif(mixedOutcome(), {
      toolVersion: '1',
      workflowFile: '.github/workflows/deploy.yml',
    });
    const located = onlyRun(inWorkflow).results?.find((r) => r.ruleId === 'audit-log-retention');
    expect(located?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe(
      '.github/workflows/deploy.yml',
    );
  });

  it("meets code scanning's ingestion rule: every result has a non-empty physicalLocation.artifactLocation.uri", () => {
    const uris = (onlyRun(log).results ?? []).map(
      (r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '',
    );
    expect(uris.length).toBeGreaterThan(2);
    expect(uris.filter((u) => u === '')).toEqual([]);
  });

  it('writes file paths as relative POSIX URIs', () => {
    expect(toRelativeUri('.\\policies\\my policy#1.json')).toBe('policies/my%20policy%231.json');
    expect(toRelativeUri('./policies/a.json')).toBe('policies/a.json');
  });

  it('fingerprints policy, rule and sorted pointers', () => {
    const expected = createHash('sha256')
      .update('security:no-public-db:/database/allowedCidrs/0,/database/publicAccess')
      .digest('hex');
    expect(resultFor(run, 'no-public-db').partialFingerprints).toEqual({ 'deployGates/v1': expected });
    const reordered = { ...criticalFailure, violations: [...criticalFailure.violations].reverse() };
    expect(fingerprint(reordered)).toBe(expected);
    const moreViolations = {
      ...criticalFailure,
      violations: [...criticalFailure.violations, violation('/database/port', 'must be 5432')],
    };
    expect(fingerprint(moreViolations)).not.toBe(expected);
  });

  it('keeps the fingerprint when a violation becomes waived', () => {
    const [first, second] = criticalFailure.violations;
    if (first === undefined || second === undefined) throw new Error('fixture changed');
    const partlyWaived = { ...criticalFailure, violations: [first], waivedViolations: [second] };
    expect(fingerprint(partlyWaived)).toBe(fingerprint(criticalFailure));
  });

  it('suppresses waived results, and only those', () => {
    expect(resultFor(run, 'change-window').suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification:
          'Emergency security patch (approved by cto@example.com, ticket SEC-42, expires 2025-06-06T00:00:00Z)',
        properties: {
          approver: 'cto@example.com',
          ticket: 'SEC-42',
          expiresAt: '2025-06-06T00:00:00Z',
          scope: '/changeWindow',
        },
      },
    ]);
    const suppressed = run.results?.filter((r) => r.suppressions !== undefined).map((r) => r.ruleId);
    expect(suppressed).toEqual(['change-window']);
  });

  it('records the decision and whether every rule could be evaluated', () => {
    expect(run.properties).toEqual({
      decision: 'fail',
      mode: 'enforce',
      failOn: 'high',
      counts: { passed: 1, failed: 3, waived: 1, errored: 1, notChecked: 0, notCheckedRequired: 0, total: 6 },
    });
    expect(run.invocations).toEqual([{ executionSuccessful: false, endTimeUtc: NOW }]);
    const clean = toSarif(outcomeOf([passing, lowFailure]), { toolVersion: '1' });
    expect(onlyRun(clean).invocations?.[0]?.executionSuccessful).toBe(true);
  });

  it('leaves out optional URIs that are missing or not absolute', () => {
    const log2 = toSarif(outcomeOf([{ ...lowFailure, helpUri: 'docs/rules.md' }]), { toolVersion: '2.0.0' });
    const run2 = onlyRun(log2);
    expect(run2.tool.driver).not.toHaveProperty('informationUri');
    expect(run2.tool.driver.rules?.[0]).not.toHaveProperty('helpUri');
    expect(validateSarif(log2)).toBe(true);
  });

  it('produces a valid log when nothing failed', () => {
    const log3 = toSarif(outcomeOf([passing]), { toolVersion: '1' });
    expect(onlyRun(log3).results).toEqual([]);
    expect(validateSarif(log3)).toBe(true);
  });

  it('gives each violation whose facts name a file and line a result of its own at that line', () => {
    const at = (v: ReturnType<typeof violation>, file: string, line: number) => ({
      ...v,
      location: { file, line },
    });
    const drop = at(
      violation('/dbMigrate/lint/findings/0', 'is a finding: drop-column'),
      'db/migrations/1_drop.sql',
      7,
    );
    const rename = at(
      violation('/dbMigrate/lint/findings/2', 'is a finding: rename-column'),
      'db/migrations/2 rename.sql',
      3,
    );
    const unlocated = violation('/dbMigrate/lint/findings/1', 'is a finding: truncate');
    const lint = ruleResult({
      policyId: 'db-migrate',
      policySource: 'builtin:db-migrate.json',
      file: undefined,
      ruleId: 'db-migrate.no-drop-column',
      violations: [drop, unlocated, rename],
    });
    const waiver = {
      ...changeWindowWaiver,
      rule: 'db-migrate.no-drop-column',
      scope: '/dbMigrate/lint/findings/0',
    };
    const waivedLint = ruleResult({
      policyId: 'db-migrate',
      file: undefined,
      ruleId: 'db-migrate.no-rename',
      status: 'waived',
      waivedViolations: [drop],
      waivers: [waiver],
    });
    const log4 = toSarif(outcomeOf([lint, waivedLint]), { toolVersion: '1' });
    expect(validateSarif(log4)).toBe(true);
    const results = onlyRun(log4).results ?? [];
    expect(
      results.map((r) => [
        r.ruleId,
        r.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
        r.locations?.[0]?.physicalLocation?.region?.startLine,
        r.suppressions?.length,
      ]),
    ).toEqual([
      ['db-migrate.no-drop-column', 'db/migrations/1_drop.sql', 7, undefined],
      ['db-migrate.no-drop-column', 'db/migrations/2%20rename.sql', 3, undefined],
      ['db-migrate.no-drop-column', 'policies/db-migrate.json', undefined, undefined],
      ['db-migrate.no-rename', 'db/migrations/1_drop.sql', 7, 1],
    ]);
    expect(results[0]?.message.text).toContain('/dbMigrate/lint/findings/0: is a finding: drop-column');
    expect(results[0]?.message.text).not.toContain('rename-column');
    expect(results[2]?.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'policies/db-migrate.json', uriBaseId: '%SRCROOT%' } },
        logicalLocations: [{ fullyQualifiedName: 'db-migrate/db-migrate.no-drop-column', kind: 'module' }],
      },
    ]);
    expect(new Set(results.map((r) => r.partialFingerprints?.['deployGates/v1'])).size).toBe(4);
  });
});
