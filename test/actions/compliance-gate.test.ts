import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionRun, REPO_ROOT, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';

// The compliance gate, run from its committed bundle as the runner runs it.
const ACTION = 'actions/compliance-gate/dist/index.js';
// 02:30 in São Paulo: inside the default 02:00-06:00 window, the night after the example's notifications.
const INSIDE = '2026-03-10T05:30:00Z';
const EXAMPLE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/compliance/compliance.json'), 'utf8'));
const runs: ActionRun[] = [];

interface GateOptions {
  files?: Record<string, unknown>;
  /** The clock-override input; every test judges a fixed night unless `realClock`. */
  now?: string;
  /** No clock-override and no waiver of it: the gate judges the runner's clock. */
  realClock?: boolean;
  env?: Record<string, string>;
  event?: object;
  eventName?: string;
}

// lgpd.security-assessment is critical: its waivers need an approver the repository lists.
const APPROVERS = { '.github/deploy-gates/approvers': 'cto@neonpro.healthcare\n' };
const waiver = (rule: string, expiresAt: string, extra: object = {}) => ({
  rule,
  reason: 'Q1 assessment retest booked',
  approver: 'cto@neonpro.healthcare',
  ticket: 'SEC-42',
  expiresAt,
  ...extra,
});
// A fixed clock fails compliance.clock-not-overridden (critical) unless waived: the tests waive it, as the
// sandbox does. Listed last, so the waivers a test is about come first.
const CLOCK_WAIVER = waiver('compliance.clock-not-overridden', '2026-05-01T00:00:00Z', {
  reason: 'Test: the gate judges a fixed night',
  ticket: 'TEST-1',
});
const waivers = (...list: object[]) => ({
  'waivers.yaml': { waivers: [...list, CLOCK_WAIVER] },
  ...APPROVERS,
});

async function gate(inputs: Record<string, string> = {}, opts: GateOptions = {}): Promise<ActionRun> {
  const clock = opts.realClock
    ? {}
    : {
        files: { 'clock-waivers.yaml': { waivers: [CLOCK_WAIVER] }, ...APPROVERS },
        inputs: { 'clock-override': opts.now ?? INSIDE, waivers: 'clock-waivers.yaml' },
      };
  const ws = workspace({ '.github/compliance.json': EXAMPLE, ...clock.files, ...opts.files });
  const run = await runBundle({
    action: ACTION,
    workspace: ws,
    inputs: { ...clock.inputs, ...inputs },
    stepId: 'compliance',
    env: opts.env ?? {},
    ...(opts.event ? { event: opts.event } : {}),
    ...(opts.eventName ? { eventName: opts.eventName } : {}),
  });
  runs.push(run);
  return run;
}

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');
const evidenceOf = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.evidence ?? '', 'utf8'));
const withManifest = (change: (m: typeof EXAMPLE) => void) => {
  const m = structuredClone(EXAMPLE);
  change(m);
  return { '.github/compliance.json': m };
};

describe('compliance gate action', () => {
  it('passes the example manifest inside the window and writes the evidence for approvers', async () => {
    const run = await gate();
    expect(run.exitCode, run.stdout).toBe(0);
    // 27 rules pass; the 28th, compliance.clock-not-overridden, is waived: the test fixes the clock.
    expect(run.outputs).toMatchObject({ decision: 'pass', failed: '0', waived: '1', passed: '27' });
    expect(run.summary.split('\n')[0]).toBe('## ✅ Compliance check passed: this deployment may be approved');
    expect(run.summary).toContain('### What is being deployed');
    expect(run.summary).toContain(
      '[3f78685](https://github.com/neonpro/healthcare-platform/commit/3f786850e387550fdab836ed7e6dc881de23001b)',
    );
    expect(run.summary).toContain('#### LGPD: patient data protection (Lei 13.709/2018): 10 passed');
    expect(run.summary).toContain('#### ANVISA: medical device software: 7 passed');
    expect(run.summary).toContain('#### CFM: medical professional and telemedicine standards: 7 passed');
    expect(run.summary).toContain('#### Change window: 3 passed');
    expect(run.summary).toContain('02:00-06:00 America/Sao\\_Paulo: starts 2026-03-10 02:30 (inside)');
    expect(run.summary).toContain('Nothing failed.');
    // The fixed clock is shown with the waiver that lets it through, and warned about.
    expect(run.summary).toMatch(
      /\| Clock \| fixed by the clock-override input at 2026-03-10T05:30:00\.000Z; the runner's clock said 20\d\d-.*waived by cto@neonpro\.healthcare \(TEST-1\): Test: the gate judges a fixed night \|/,
    );
    expect(run.annotations.filter((a) => a.level !== 'notice').map((a) => [a.level, a.message])).toEqual([
      ['warning', expect.stringMatching(/^The clock is fixed by clock-override=2026-03-10T05:30:00.000Z/)],
    ]);

    expect(run.outputs.evidence).toBe(
      join(run.runnerTemp, 'deploy-gates', 'compliance-evidence-compliance.json'),
    );
    const evidence = evidenceOf(run);
    expect(evidence).toMatchObject({
      kind: 'deploy-gates/compliance-evidence',
      decision: 'pass',
      clock: { now: '2026-03-10T05:30:00.000Z', source: 'clock-override', overridden: true },
      run: {
        repository: 'neonpro/healthcare-platform',
        runId: '9876543210',
        runAttempt: 1,
        step: 'compliance',
      },
      deployment: { commit: '3f786850e387550fdab836ed7e6dc881de23001b', author: 'octocat' },
      facts: { manifest: { path: '.github/compliance.json' } },
      changeWindow: { inside: true, endsInside: true, timezone: 'America/Sao_Paulo' },
      waivers: { inForce: [{ waiver: CLOCK_WAIVER }], notHonoured: [] },
    });
    expect(Date.parse(evidence.clock.system)).toBeGreaterThan(Date.parse('2026-03-10T05:30:00Z'));
    expect(evidence.facts.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(evidence.facts.manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(evidence.policies.map((p: { id: string; version: string }) => `${p.id}@${p.version}`)).toEqual([
      'compliance/lgpd@1.0.0',
      'compliance/anvisa@1.0.0',
      'compliance/cfm@1.0.0',
      'change-window@1.0.0',
      'compliance/clock@1.0.0',
    ]);
    for (const p of evidence.policies) expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(evidence.results).toHaveLength(28);
    expect(evidence.attestations.lgpd.encryptionAtRest).toMatchObject({ value: true, ageDays: 18 });
    expect(evidence.attestations.anvisa.registration.value.daysLeft).toBeGreaterThan(90);
    expect(JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8')).decision).toBe('pass');
    // The summary carries the file's hash (what an auditor compares a download with) and says it is unsigned.
    const hash = createHash('sha256')
      .update(readFileSync(run.outputs.evidence ?? ''))
      .digest('hex');
    expect(run.summary).toContain(`(SHA-256 ${hash})`);
    expect(run.summary).toContain('without it the uploaded evidence is unsigned');
  });

  it('names the pull request and its author from the event payload', async () => {
    const run = await gate(
      {},
      {
        eventName: 'pull_request',
        event: {
          pull_request: {
            number: 318,
            title: 'Prescription signing: ICP-Brasil A3 tokens',
            html_url: 'https://github.com/neonpro/healthcare-platform/pull/318',
            user: { login: 'dra-ana' },
            head: { sha: 'aaaabbbbccccddddeeeeffff0000111122223333', ref: 'feature/icp' },
          },
        },
      },
    );
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain(
      '[#318 Prescription signing: ICP-Brasil A3 tokens](https://github.com/neonpro/healthcare-platform/pull/318)',
    );
    expect(run.summary).toContain('| Author | dra-ana |');
    expect(evidenceOf(run).deployment).toMatchObject({
      commit: 'aaaabbbbccccddddeeeeffff0000111122223333',
      ref: 'feature/icp',
    });
  });

  it('reads a YAML manifest', async () => {
    const run = await gate(
      { manifest: 'compliance.yaml' },
      { files: { 'compliance.yaml': JSON.stringify(EXAMPLE, null, 2) } },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe('27');
  });

  it('fails on a stale attestation and a missing registration, saying how to fix them', async () => {
    const run = await gate(
      { 'sarif-file': 'out/compliance.sarif', 'junit-file': 'out/compliance.xml' },
      {
        files: withManifest((m) => {
          m.securityAssessment.date = '2025-11-01';
          delete m.anvisa.registration;
        }),
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    expect(run.summary.split('\n')[0]).toBe('## ❌ Compliance check failed: do not approve this deployment');
    const blocking = evidenceOf(run).blocking;
    expect(blocking).toEqual(
      expect.arrayContaining([
        'lgpd.security-assessment',
        'anvisa.registration',
        'anvisa.registration-valid',
      ]),
    );
    expect(run.summary).toMatch(
      /\/compliance\/securityAssessment\/ageDays is 129 days: the attestation is older than the 90 days this policy accepts/,
    );
    expect(run.summary).toContain('### What failed and how to fix it');
    expect(run.summary).toContain('- **anvisa.registration** (critical): Record the ANVISA number');
    expect(errors(run).at(-1)?.message).toMatch(
      /^Compliance gate failed: \d+ rule\(s\) at or above high did not pass/,
    );
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    // Reports and evidence are written for a failed gate too.
    expect(existsSync(run.outputs.evidence ?? '')).toBe(true);
    expect(existsSync(join(run.workspace, 'out/compliance.sarif'))).toBe(true);
    expect(existsSync(join(run.workspace, 'out/compliance.xml'))).toBe(true);
  });

  it('audit mode reports the failure without failing the step', async () => {
    const run = await gate({ mode: 'audit' }, { files: withManifest((m) => delete m.notifications.dpo) });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('fail');
    expect(run.summary.split('\n')[0]).toMatch(/^## ⚠️ Compliance check would fail \(audit mode\)/);
  });

  it('honours a waiver in force and shows its approver and expiry', async () => {
    const run = await gate(
      { waivers: 'waivers.yaml' },
      {
        files: {
          ...withManifest((m) => {
            m.securityAssessment.date = '2025-11-01';
          }),
          ...waivers(waiver('lgpd.security-assessment', '2026-04-30T00:00:00Z')),
        },
      },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', waived: '2', passed: '26' });
    expect(run.summary).toContain(
      '| lgpd.security-assessment | all | active | Q1 assessment retest booked | cto@neonpro.healthcare | ✅ listed in .github/deploy-gates/approvers | SEC-42 | 2026-04-30T00:00:00Z | 50 |',
    );
    expect(evidenceOf(run).waivers.inForce).toHaveLength(2);
    // The evidence says who approved and why that approver counts, and how long the exception lasts.
    expect(evidenceOf(run).waivers.inForce[0]).toMatchObject({
      daysLeft: 50,
      lifetimeDays: 51,
      problems: [],
      approverCheck: { required: true, ok: true, detail: 'listed in .github/deploy-gates/approvers' },
    });
  });

  it('warns about a waiver that expires within 14 days', async () => {
    const run = await gate(
      { waivers: 'waivers.yaml' },
      {
        files: {
          ...withManifest((m) => {
            m.securityAssessment.date = '2025-11-01';
          }),
          ...waivers(waiver('lgpd.security-assessment', '2026-03-15T00:00:00Z')),
        },
      },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', waived: '2' });
    expect(run.summary).toContain('| lgpd.security-assessment | all | ⚠️ expiring |');
    expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringMatching(/clock-override/),
      expect.stringMatching(/SEC-42/),
    ]);
  });

  it('merges preflight facts and records their digest in the evidence', async () => {
    const run = await gate(
      { facts: 'facts.json' },
      { files: { 'facts.json': { coverage: { lines: 97 }, vercel: { env: ['LGPD_CONSENT_REQUIRED'] } } } },
    );
    expect(run.exitCode).toBe(0);
    expect(evidenceOf(run).facts.files).toEqual([
      { path: 'facts.json', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('does not honour an expired waiver, and flags one for an unknown rule', async () => {
    const run = await gate(
      { waivers: 'waivers.yaml' },
      {
        files: {
          ...withManifest((m) => {
            m.securityAssessment.date = '2025-11-01';
          }),
          ...waivers(
            waiver('lgpd.security-assessment', '2026-03-01T00:00:00Z'),
            waiver('lgpd.no-such-rule', '2026-04-30T00:00:00Z'),
          ),
        },
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', waived: '1' });
    expect(run.summary).toContain('❌ expired (not honoured)');
    expect(run.summary).toContain('| lgpd.no-such-rule | all | unknown rule |');
    expect(evidenceOf(run).waivers.notHonoured.map((w: { state: string }) => w.state)).toEqual([
      'expired',
      'unknown-rule',
    ]);
  });

  it('fails outside the change window; an emergency waiver lets it through', async () => {
    const afternoon = '2026-03-10T17:00:00Z'; // 14:00 in São Paulo
    const outside = await gate({}, { now: afternoon });
    expect(outside.exitCode).toBe(1);
    expect(evidenceOf(outside).blocking).toEqual(['change.inside-window', 'change.ends-inside-window']);
    expect(outside.summary).toContain(
      'is false: the deploy starts at "2026-03-10 14:00" in "America/Sao\\_Paulo", outside the window "02:00-06:00"',
    );

    const emergency = await gate(
      { waivers: 'waivers.yaml' },
      {
        now: afternoon,
        files: waivers(
          waiver('change.inside-window', '2026-03-10T20:00:00Z', {
            reason: 'Emergency: prescription outage',
          }),
          waiver('change.ends-inside-window', '2026-03-10T20:00:00Z', {
            reason: 'Emergency: prescription outage',
          }),
        ),
      },
    );
    expect(emergency.exitCode).toBe(0);
    expect(emergency.outputs).toMatchObject({ decision: 'pass', waived: '3' });
  });

  it('checks the window, time zone and durations given as inputs', async () => {
    // 22:00-02:00 in Lisbon: 17:00Z is 17:00 there, outside; the expected 5h exceeds a 4h maximum.
    const run = await gate(
      { 'change-window': '22:00-02:00', timezone: 'Europe/Lisbon', 'expected-duration': '5h' },
      { now: '2026-03-10T23:30:00Z' },
    );
    expect(run.exitCode).toBe(1);
    expect(evidenceOf(run).changeWindow).toMatchObject({
      spec: '22:00-02:00',
      timezone: 'Europe/Lisbon',
      localTime: '2026-03-10 23:30',
      inside: true,
      endsInside: false,
      withinMaxDuration: false,
    });
    expect(evidenceOf(run).blocking).toEqual(['change.ends-inside-window', 'change.max-duration']);
  });
});

describe("compliance gate action: the gate's clock", () => {
  it("DEPLOY_GATES_NOW in a step's env changes nothing: the gate judges the runner's clock", async () => {
    // A two-hour UTC window starting two hours ahead of the real clock, and DEPLOY_GATES_NOW inside it: honoured,
    // the change would start inside the window; on the real clock it starts outside.
    const hh = (ms: number) => new Date(ms).toISOString().slice(11, 13);
    const started = Date.now();
    const inWindow = new Date(started + 2.5 * 3_600_000).toISOString();
    const run = await gate(
      {
        'change-window': `${hh(started + 2 * 3_600_000)}:00-${hh(started + 4 * 3_600_000)}:00`,
        timezone: 'UTC',
        'expected-duration': '1m',
      },
      { realClock: true, env: { DEPLOY_GATES_NOW: inWindow } },
    );
    expect(run.exitCode).toBe(1);
    const evidence = evidenceOf(run);
    expect(evidence.clock).toMatchObject({ source: 'system', overridden: false });
    expect(evidence.clock.now).toBe(evidence.clock.system);
    expect(Date.parse(evidence.clock.now)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(evidence.clock.now)).toBeLessThan(Date.parse(inWindow));
    expect(evidence.changeWindow.inside).toBe(false);
    expect(evidence.blocking).toContain('change.inside-window');
    expect(
      evidence.results.find((r: { ruleId: string }) => r.ruleId === 'compliance.clock-not-overridden'),
    ).toMatchObject({ status: 'pass' });
    expect(run.stdout + run.summary).not.toContain('DEPLOY_GATES_NOW');
  });

  it('an override without a waiver fails the gate in enforce mode, with both times in the evidence', async () => {
    const run = await gate(
      { 'clock-override': INSIDE, waivers: '' },
      { files: { 'clock-waivers.yaml': { waivers: [] } } },
    );
    expect(run.exitCode).toBe(1);
    const evidence = evidenceOf(run);
    expect(evidence.blocking).toEqual(['compliance.clock-not-overridden']);
    expect(evidence.clock).toMatchObject({ now: '2026-03-10T05:30:00.000Z', source: 'clock-override' });
    expect(run.summary).toMatch(
      /compliance\.clock-not-overridden.*is true: the gate judged "2026-03-10T05:30:00\.000Z" given by the clock-override input, while the runner's clock said "20/,
    );
    expect(errors(run).at(-1)?.message).toMatch(
      /^Compliance gate failed: 1 rule\(s\) at or above high did not pass: compliance\.clock-not-overridden$/,
    );

    const audit = await gate({ 'clock-override': INSIDE, waivers: '', mode: 'audit' });
    expect(audit.exitCode).toBe(0);
    expect(audit.outputs.decision).toBe('fail');
  });

  it('a policies input that leaves out the clock policy still judges the clock', async () => {
    const run = await gate({ policies: 'builtin:change-window', waivers: '' });
    expect(run.exitCode).toBe(1);
    expect(evidenceOf(run).policies.map((p: { id: string }) => p.id)).toEqual([
      'change-window',
      'compliance/clock',
    ]);
    expect(evidenceOf(run).blocking).toEqual(['compliance.clock-not-overridden']);
  });
});

describe('compliance gate action: bad input', () => {
  const cases: [string, Record<string, string>, GateOptions, RegExp][] = [
    [
      'a malformed manifest',
      {},
      { files: { '.github/compliance.json': '{\n  "lgpd": {\n    "encryptionAtRest": true,\n  }\n}\n' } },
      /^Input "manifest": \.github\/compliance\.json is not valid JSON at line 4, column 3: .*Fix the syntax of that file\.$/,
    ],
    [
      'a manifest that breaks its schema',
      {},
      { files: withManifest((m) => (m.lgpd.encryptionAtRest.value = 'yes')) },
      /^Input "manifest": \.github\/compliance\.json line \d+: \/lgpd\/encryptionAtRest\/value must be boolean\. Make the file match policies\/compliance-manifest\.schema\.json\.$/,
    ],
    [
      'an attestation without a date',
      {},
      { files: withManifest((m) => delete m.cfm.recordRetention.date) },
      /^Input "manifest": \.github\/compliance\.json line \d+: \/cfm\/recordRetention is missing the required property "date"/,
    ],
    [
      'a missing manifest',
      { manifest: 'nope/compliance.json' },
      {},
      /^Input "manifest": nope\/compliance\.json does not exist\. Check the path/,
    ],
    [
      'bad change-window syntax',
      { 'change-window': '2am-6am' },
      {},
      /^Input "change-window": "2am-6am" is not a time range\. Write change-window as HH:MM-HH:MM/,
    ],
    [
      'an unknown time zone',
      { timezone: 'America/Brasilia' },
      {},
      /^Input "timezone": "America\/Brasilia" is not a time zone this runtime knows\. Set timezone to an IANA time zone name/,
    ],
    [
      'a bad max-duration',
      { 'max-duration': 'four hours' },
      {},
      /^Input "max-duration": "four hours" is not a duration\./,
    ],
    ['a zero max-duration', { 'max-duration': '0' }, {}, /^Input "max-duration": "0" is out of range\./],
    [
      'an unknown builtin policy',
      { policies: 'builtin:compliance/hipaa' },
      {},
      /^Input "policies": there is no builtin policy "compliance\/hipaa"/,
    ],
    [
      'a policies folder holding no policy (a gate of no rule would pass anything)',
      { policies: 'compliance-policies' },
      { files: { 'compliance-policies/README.md': 'policies go here' } },
      /^Input "policies": the folder compliance-policies holds no policy file/,
    ],
    [
      'a waiver without expiry',
      { waivers: 'w.yaml' },
      {
        files: {
          'w.yaml':
            'waivers:\n  - rule: change.inside-window\n    reason: r\n    approver: cto\n    ticket: T-1\n',
        },
      },
      /^Input "waivers": w\.yaml line 2: the waiver for rule "change\.inside-window" has no expiresAt\./,
    ],
    [
      'a test clock that is not a date',
      {},
      { now: 'yesterday' },
      /^Input "clock-override": "yesterday" is not an ISO-8601 date and time with a zone\. Leave clock-override empty outside the sandbox/,
    ],
  ];

  for (const [name, inputs, opts, message] of cases) {
    it(`${name}: one clear error, exit 1, no stack trace, nothing written`, async () => {
      const run = await gate(inputs, opts);
      expect(run.exitCode).toBe(1);
      expect(run.annotations.map((a) => [a.level, a.message])).toEqual([
        ['error', expect.stringMatching(message)],
      ]);
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
      expect(run.outputs).toEqual({});
      expect(run.summary).toBe('');
      expect(existsSync(join(run.runnerTemp, 'deploy-gates'))).toBe(false);
    });
  }
});
