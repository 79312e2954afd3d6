import { isMissingRequired } from '../../src/policy/needs.js';
import type { GateOutcome, RuleResult, Violation, WaiverReport } from '../../src/policy/types.js';

export const NOW = '2025-06-01T12:00:00.000Z';

export function violation(pointer: string, message: string): Violation {
  return { pointer, message, keyword: 'const', schemaPath: '#/properties/x/const' };
}

/** A failing result of policy "security" unless overridden. */
export function result(overrides: Partial<RuleResult> & Pick<RuleResult, 'ruleId'>): RuleResult {
  return {
    policyId: 'security',
    policyVersion: '1.2.0',
    policySource: 'policies/security.json',
    file: 'policies/security.json',
    line: 10,
    title: `Title of ${overrides.ruleId}`,
    severity: 'high',
    reference: 'Playbook §1',
    remediation: `Fix ${overrides.ruleId}.`,
    tags: [],
    status: 'fail',
    message: `${overrides.ruleId} failed`,
    violations: [],
    waivedViolations: [],
    waivers: [],
    missingFacts: [],
    ...overrides,
  };
}

export const passing = result({
  ruleId: 'tls-min-version',
  title: 'TLS 1.2 or newer',
  severity: 'high',
  line: 12,
  status: 'pass',
  message: 'All endpoints use TLS 1.2 or newer',
  tags: ['security', 'tls'],
});

export const criticalFailure = result({
  ruleId: 'no-public-db',
  title: 'Database is not publicly reachable',
  severity: 'critical',
  line: 30,
  reference: 'HIPAA §164.312(e)(1)',
  remediation: 'Restrict the database to the private network.',
  helpUri: 'https://example.com/rules/no-public-db',
  tags: ['security', 'security', 'database'],
  message: 'The database accepts connections from the internet',
  violations: [
    violation('/database/publicAccess', 'must be false'),
    violation('/database/allowedCidrs/0', 'must not be 0.0.0.0/0'),
  ],
});

export const lowFailure = result({
  policyId: 'operations',
  policySource: 'policies/ops.json',
  file: 'policies/ops.json',
  line: 8,
  ruleId: 'runbook-linked',
  title: 'Runbook is linked',
  severity: 'low',
  message: 'No runbook link in the release notes',
  violations: [violation('/release/runbookUrl', "must have required property 'runbookUrl'")],
});

export const changeWindowWaiver = {
  rule: 'change-window',
  scope: '/changeWindow',
  reason: 'Emergency security patch',
  approver: 'cto@example.com',
  ticket: 'SEC-42',
  expiresAt: '2025-06-06T00:00:00Z',
};

export const waived = result({
  policyId: 'operations',
  policySource: 'policies/ops.json',
  file: 'policies/ops.json',
  line: 20,
  ruleId: 'change-window',
  title: 'Deploy inside the change window',
  severity: 'high',
  status: 'waived',
  message: 'Outside the change window (waived)',
  waivedViolations: [violation('/changeWindow/open', 'must be true')],
  waivers: [changeWindowWaiver],
});

export const errored = result({
  ruleId: 'backup-verified',
  title: 'A verified backup exists',
  severity: 'high',
  line: 44,
  status: 'error',
  message: 'Rule schema failed to compile: unknown format "sha256"',
});

export const builtinFailure = result({
  policyId: 'builtin-hipaa',
  policySource: 'builtin:hipaa',
  file: undefined,
  line: 0,
  ruleId: 'audit-log-retention',
  title: 'Audit logs are kept six years',
  severity: 'medium',
  reference: 'HIPAA §164.316(b)(2)',
  message: 'Audit log retention is 30 days',
  violations: [violation('/logging/retentionDays', 'must be >= 2190')],
});

/** A rule whose required fact was not collected: it blocks the gate whatever its severity. */
export const notCheckedRequired = result({
  policyId: 'preflight',
  policySource: 'builtin:preflight',
  file: undefined,
  line: 0,
  ruleId: 'preflight.tls-valid',
  title: 'TLS certificates are valid',
  severity: 'low',
  status: 'not-checked',
  message:
    'Not checked, and the policy requires it: /tls was not collected (collected by the tls-hosts input)',
  violations: [
    {
      pointer: '/tls',
      message: 'is required but was not collected: give the tls-hosts input',
      keyword: 'not-collected',
      schemaPath: '#/needs',
    },
  ],
  missingFacts: [{ pointer: '/tls', required: true, collectedBy: 'the tls-hosts input' }],
});

/** A rule whose optional fact was not collected: reported, never blocking. */
export const notCheckedOptional = result({
  policyId: 'preflight',
  policySource: 'builtin:preflight',
  file: undefined,
  line: 0,
  ruleId: 'preflight.vercel-env',
  title: 'Every required environment variable exists',
  severity: 'high',
  status: 'not-checked',
  message: 'Not checked (optional): /vercel was not collected (collected by the vercel-token input)',
  missingFacts: [{ pointer: '/vercel', required: false, collectedBy: 'the vercel-token input' }],
});

/** The audit fields of a waiver that keeps its limits and needs no approver check. */
export const unaudited = {
  lifetimeDays: 30,
  approverCheck: { required: false, ok: true, detail: 'not required below the policy limit' },
  problems: [],
} satisfies Partial<WaiverReport>;

export const waiverReports: WaiverReport[] = [
  { waiver: changeWindowWaiver, state: 'active', daysLeft: 5, ...unaudited },
  {
    waiver: {
      rule: 'coverage-threshold',
      reason: 'Legacy module',
      approver: 'lead@example.com',
      ticket: 'ENG-7',
      expiresAt: '2025-06-04T00:00:00Z',
    },
    state: 'expiring',
    daysLeft: 3,
    ...unaudited,
  },
  {
    waiver: {
      rule: 'pen-test',
      reason: 'Vendor delay',
      approver: 'ciso@example.com',
      ticket: 'SEC-9',
      expiresAt: '2025-05-01T00:00:00Z',
    },
    state: 'expired',
    daysLeft: -31,
    ...unaudited,
  },
  {
    waiver: {
      rule: 'runbook-linked',
      scope: '/nothing',
      reason: 'Old exception',
      approver: 'ops@example.com',
      ticket: 'OPS-1',
      expiresAt: '2025-12-31T00:00:00Z',
    },
    state: 'unused',
    daysLeft: 213,
    ...unaudited,
  },
  {
    waiver: {
      rule: 'no-such-rule',
      reason: 'Typo',
      approver: 'ops@example.com',
      ticket: 'OPS-2',
      expiresAt: '2025-12-31T00:00:00Z',
    },
    state: 'unknown-rule',
    daysLeft: 213,
    ...unaudited,
  },
];

/** Counts and blocking results as the engine would derive them (fail-on high, enforce). */
export function outcomeOf(results: RuleResult[], overrides: Partial<GateOutcome> = {}): GateOutcome {
  const count = (status: RuleResult['status']) => results.filter((r) => r.status === status).length;
  const blocking = results.filter(
    (r) =>
      r.status === 'error' ||
      isMissingRequired(r) ||
      (r.status === 'fail' && (r.severity === 'critical' || r.severity === 'high')),
  );
  return {
    decision: blocking.length > 0 ? 'fail' : 'pass',
    mode: 'enforce',
    failOn: 'high',
    now: NOW,
    counts: {
      passed: count('pass'),
      failed: count('fail'),
      waived: count('waived'),
      errored: count('error'),
      notChecked: count('not-checked'),
      notCheckedRequired: results.filter(isMissingRequired).length,
      total: results.length,
    },
    results,
    blocking,
    waivers: [],
    policies: [
      {
        id: 'security',
        title: 'Security',
        version: '1.2.0',
        source: 'policies/security.json',
        sha256: 'a'.repeat(64),
      },
      {
        id: 'operations',
        title: 'Operations',
        version: '0.3.0',
        source: 'policies/ops.json',
        sha256: 'b'.repeat(64),
      },
      {
        id: 'builtin-hipaa',
        title: 'HIPAA',
        version: '1.0.0',
        source: 'builtin:hipaa',
        sha256: 'c'.repeat(64),
      },
    ],
    factsSha256: 'f'.repeat(64),
    ...overrides,
  };
}

/** The mixed outcome most tests use: every status, a builtin policy, and waivers in every state. */
export function mixedOutcome(overrides: Partial<GateOutcome> = {}): GateOutcome {
  return outcomeOf([passing, criticalFailure, errored, lowFailure, waived, builtinFailure], {
    waivers: waiverReports,
    ...overrides,
  });
}

/**
 * `total` results for size limits: `failing` critical failures, `errors` errors, `waivedCount`
 * waived and the rest passing, shuffled so order must come from the writer, not the input.
 */
export function largeOutcome(counts: {
  total: number;
  failing: number;
  errors: number;
  waived: number;
}): GateOutcome {
  const results: RuleResult[] = [];
  for (let i = 0; i < counts.total; i += 1) {
    const status =
      i < counts.failing
        ? 'fail'
        : i < counts.failing + counts.errors
          ? 'error'
          : i < counts.failing + counts.errors + counts.waived
            ? 'waived'
            : 'pass';
    results.push(
      result({
        ruleId: `rule-${String(i).padStart(5, '0')}`,
        severity: status === 'fail' ? 'critical' : 'medium',
        status,
        message: `Result ${i} ${status}: ${'détail – ünïcödé '.repeat(4)}`,
      }),
    );
  }
  // A deterministic interleaving: reverse, so passing rows come first in the input.
  return outcomeOf(results.reverse());
}
