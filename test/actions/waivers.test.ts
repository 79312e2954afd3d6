import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { type ActionRun, REPO_ROOT, runBundle } from '../../sandbox/runner/run-bundle.js';
import { leakedSecrets } from '../../sandbox/runner/secrets.js';
import {
  DEFAULT_APPROVAL_AT,
  DEFAULT_MAX_DAYS,
  DEFAULT_TICKET_PATTERN,
} from '../../src/policy/waiver-limits.js';
import { policy, rule, workspace } from '../policy/helpers.js';

// Waivers an auditor accepts, judged by the root action's committed bundle: every gate prepares its
// waivers through the same code (src/gate/prepare-gate.ts), so its inputs are checked on each action too.
const DAY = 86_400_000;
const runs: ActionRun[] = [];
let github: GitHubEmulator;

beforeAll(async () => {
  github = await startGitHubEmulator();
  github.addTeamMember('neonpro', 'dpo-team', 'Bob-DPO');
  github.addTeamMember('neonpro', 'dpo-team', 'pat', { state: 'pending' });
});
afterAll(() => github.close());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const FAILING = { n: 0 };
const critical = rule(
  't.critical',
  { type: 'object', properties: { n: { type: 'number', minimum: 1 } } },
  { severity: 'critical' },
);
const high = rule(
  't.high',
  { type: 'object', properties: { n: { type: 'number', minimum: 1 } } },
  { severity: 'high' },
);
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

function waiver(extra: Record<string, unknown> = {}) {
  return {
    rule: 't.critical',
    reason: 'the fix ships next sprint',
    approver: '@alice',
    ticket: 'OPS-42',
    // Half a day past a whole number of days, so days left is 30 however long the test takes.
    expiresAt: inDays(30.5),
    ...extra,
  };
}

async function gate(
  waivers: object[],
  opts: {
    approvers?: string;
    inputs?: Record<string, string>;
    policyExtra?: Record<string, unknown>;
    files?: Record<string, unknown>;
  } = {},
): Promise<ActionRun> {
  const files: Record<string, unknown> = {
    'policy.json': policy([critical, high], opts.policyExtra ?? {}),
    'facts.json': FAILING,
    'waivers.json': { waivers },
    ...(opts.approvers === undefined ? {} : { '.github/deploy-gates/approvers': opts.approvers }),
    ...opts.files,
  };
  const run = await runBundle({
    action: 'dist/index.js',
    workspace: workspace(files),
    inputs: { policies: 'policy.json', facts: 'facts.json', waivers: 'waivers.json', ...opts.inputs },
    env: { GITHUB_API_URL: github.apiUrl },
  });
  runs.push(run);
  return run;
}

const report = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8'));
const status = (run: ActionRun, id: string) =>
  report(run).results.find((r: { ruleId: string }) => r.ruleId === id)?.status;
const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');

describe('waivers an auditor accepts', () => {
  it('refuses the waiver of issue 14: a critical rule until 2999 by "anyone", ticket "X"', async () => {
    const run = await gate([waiver({ approver: 'anyone', ticket: 'X', expiresAt: '2999-12-31T23:59:59Z' })], {
      approvers: '@alice\n',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', waived: '0' });
    expect(status(run, 't.critical')).toBe('fail');
    const [w] = report(run).waivers;
    expect(w.state).toBe('refused');
    expect(w.problems).toEqual([
      expect.stringMatching(
        /^it lasts \d+ days \(from today to 2999-12-31T23:59:59Z\), more than the 90 days policy test\/policy allows$/,
      ),
      `ticket "X" does not match the ticket pattern of policy test/policy (${DEFAULT_TICKET_PATTERN})`,
      'approver "anyone" may not waive a critical rule: @anyone is not listed in .github/deploy-gates/approvers',
    ]);
    expect(w.approverCheck).toEqual({
      required: true,
      ok: false,
      detail: '@anyone is not listed in .github/deploy-gates/approvers',
    });
    // The failure says why the waiver did not count, where the reader looks: the rule's message,
    // a warning on the waiver, and the summary's waiver row.
    expect(report(run).results[0].message).toMatch(/waiver X is refused and not honoured: it lasts/);
    expect(run.annotations.find((a) => a.title === 'Waiver for t.critical refused')?.level).toBe('warning');
    expect(run.summary).toMatch(/\| t\.critical \| all \| ❌ refused \(not honoured\): it lasts \d+ days/);
    expect(run.summary).toContain(
      '| anyone | ❌ @anyone is not listed in .github/deploy-gates/approvers | X |',
    );
  });

  it('refuses each broken limit alone: lifetime, ticket, approver of a critical rule', async () => {
    // Both dates from one clock reading: 95.5 days apart, reported as 96.
    const base = Date.now();
    const tooLong = await gate(
      [
        waiver({
          createdAt: new Date(base - 10 * DAY).toISOString(),
          expiresAt: new Date(base + 85.5 * DAY).toISOString(),
        }),
      ],
      { approvers: '@alice\n' },
    );
    expect(status(tooLong, 't.critical')).toBe('fail');
    expect(report(tooLong).waivers[0].problems).toEqual([
      expect.stringMatching(
        /^it lasts 96 days \(from .+ to .+\), more than the 90 days policy test\/policy allows$/,
      ),
    ]);
    expect(report(tooLong).waivers[0].lifetimeDays).toBe(96);

    const badTicket = await gate([waiver({ ticket: 'X' })], { approvers: '@alice\n' });
    expect(status(badTicket, 't.critical')).toBe('fail');
    expect(report(badTicket).waivers[0].problems).toEqual([
      `ticket "X" does not match the ticket pattern of policy test/policy (${DEFAULT_TICKET_PATTERN})`,
    ]);

    const anyone = await gate([waiver({ approver: 'anyone' })], { approvers: '@alice\n' });
    expect(status(anyone, 't.critical')).toBe('fail');
    expect(report(anyone).waivers[0].state).toBe('refused');

    // No approvers file: nobody may waive a critical rule, and the report says why.
    const noFile = await gate([waiver()]);
    expect(status(noFile, 't.critical')).toBe('fail');
    expect(report(noFile).waivers[0].approverCheck.detail).toBe(
      'no approvers file (.github/deploy-gates/approvers does not exist and waiver-approvers is not set)',
    );
  });

  it('accepts an approver the file lists, and anyone with a good ticket for a rule below critical', async () => {
    const run = await gate(
      [waiver(), waiver({ rule: 't.high', approver: 'anyone', ticket: 'https://tracker.example/T/7' })],
      {
        approvers: '# who may waive critical rules\n@Alice   @neonpro/dpo-team\ncto@neonpro.healthcare\n',
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', waived: '2', failed: '0' });
    const [critic, below] = report(run).waivers;
    expect(critic).toMatchObject({
      state: 'active',
      daysLeft: 30,
      problems: [],
      approverCheck: { required: true, ok: true, detail: 'listed in .github/deploy-gates/approvers' },
    });
    expect(below).toMatchObject({ state: 'active', approverCheck: { required: false, ok: true } });
    // Listed by name: GitHub was not asked.
    expect(github.requests.filter((r) => r.path.includes('/alice'))).toEqual([]);
    expect(run.summary).toContain('| @alice | ✅ listed in .github/deploy-gates/approvers | OPS-42 |');
    expect(run.summary).toMatch(/\| OPS-42 \| [^|]+ \| 30 \|/);
    expect(run.summary).toContain('| anyone | not required |');
  });

  it('accepts an active member of a listed team via GitHub; refuses a non-member and a pending member', async () => {
    const approvers = '@alice\n@neonpro/dpo-team\n';
    const token = { 'waiver-approvers-token': github.token };
    const member = await gate([waiver({ approver: '@bob-dpo' })], { approvers, inputs: token });
    expect(status(member, 't.critical')).toBe('waived');
    expect(report(member).waivers[0]).toMatchObject({
      state: 'active',
      approverCheck: { required: true, ok: true, detail: 'active member of @neonpro/dpo-team' },
    });
    expect(github.requests).toContainEqual({
      method: 'GET',
      path: '/orgs/neonpro/teams/dpo-team/memberships/bob-dpo',
    });
    expect(member.summary).toContain('✅ active member of @neonpro/dpo-team');
    expect(leakedSecrets(member, [github.token])).toEqual([]);

    const stranger = await gate([waiver({ approver: 'mallory' })], { approvers, inputs: token });
    expect(stranger.exitCode).toBe(1);
    expect(status(stranger, 't.critical')).toBe('fail');
    expect(report(stranger).waivers[0].approverCheck.detail).toBe(
      '@mallory is not listed in .github/deploy-gates/approvers nor an active member of a team listed there',
    );

    const pending = await gate([waiver({ approver: 'pat' })], { approvers, inputs: token });
    expect(status(pending, 't.critical')).toBe('fail');
    expect(report(pending).waivers[0].approverCheck.detail).toContain(
      'membership of @neonpro/dpo-team is pending',
    );
  });

  it('applies the limits a policy sets in its waivers section', async () => {
    const policyExtra = { waivers: { maxDays: 14, ticketPattern: 'SEC-[0-9]+', approvalRequiredAt: 'high' } };
    const run = await gate([waiver({ rule: 't.high', approver: 'anyone' })], {
      approvers: '@alice\n',
      policyExtra,
    });
    expect(status(run, 't.high')).toBe('fail');
    expect(report(run).waivers[0].problems).toEqual([
      expect.stringMatching(/more than the 14 days policy test\/policy allows$/),
      'ticket "OPS-42" does not match the ticket pattern of policy test/policy (SEC-[0-9]+)',
      'approver "anyone" may not waive a high rule: @anyone is not listed in .github/deploy-gates/approvers',
    ]);
    const fine = await gate([waiver({ rule: 't.high', ticket: 'SEC-9', expiresAt: inDays(10) })], {
      approvers: '@alice\n',
      policyExtra,
    });
    expect(status(fine, 't.high')).toBe('waived');
  });
});

describe('waiver settings that are wrong: one ::error before anything is written', () => {
  const cases: [string, Parameters<typeof gate>, RegExp][] = [
    [
      'waiver-approvers names no file',
      [[waiver()], { inputs: { 'waiver-approvers': 'owners/approvers' } }],
      /^Input "waiver-approvers": "owners\/approvers" does not exist\. Set waiver-approvers to a file/,
    ],
    [
      'an approvers line that is no approver',
      [[waiver()], { approvers: '@alice\n*.sql @bob\n' }],
      /^Input "waiver-approvers": \.github\/deploy-gates\/approvers line 2: "\*\.sql" is not an approver\. List approvers as @login/,
    ],
    [
      'an empty approvers file',
      [[waiver()], { approvers: '# nobody yet\n' }],
      /^Input "waiver-approvers": \.github\/deploy-gates\/approvers lists no approver\./,
    ],
    [
      'a team to ask and no token',
      [[waiver({ approver: '@bob-dpo' })], { approvers: '@neonpro/dpo-team\n' }],
      /^Input "waiver-approvers-token": is required: \.github\/deploy-gates\/approvers lists teams, and the waiver for t\.critical \(approver @bob-dpo\)/,
    ],
    [
      'a token GitHub refuses',
      [
        [waiver({ approver: '@bob-dpo' })],
        { approvers: '@neonpro/dpo-team\n', inputs: { 'waiver-approvers-token': 'ghs_wrong' } },
      ],
      /^Input "waiver-approvers-token": GitHub answered 401 to reading the members of @neonpro\/dpo-team\. Give a token/,
    ],
    [
      'a ticket pattern that is no regular expression',
      [[waiver()], { policyExtra: { waivers: { ticketPattern: 'OPS-(' } } }],
      /^Input "policies": policy\.json: waivers\.ticketPattern "OPS-\(" is not a valid regular expression/,
    ],
    [
      'a maxDays of 0',
      [[waiver()], { policyExtra: { waivers: { maxDays: 0 } } }],
      /^Input "policies": policy\.json line \d+: \/waivers\/maxDays must be >= 1/,
    ],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const run = await gate(...args);
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((a) => a.message)).toEqual([expect.stringMatching(message)]);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    expect(run.outputs.report).toBeUndefined();
    expect(run.summary).toBe('');
  });

  it.each([
    ['preflight-check', {}],
    ['compliance-gate', {}],
    [
      'db-migrate-backup',
      { 'database-url': 'postgres://u:p@127.0.0.1:9/db', 'encryption-key': 'a-passphrase' },
    ],
    ['post-validate', { url: 'https://app.example' }],
  ])('%s declares and checks waiver-approvers before it does anything', async (name, inputs) => {
    const ws = workspace({});
    const run = await runBundle({
      action: `actions/${name}/dist/index.js`,
      workspace: ws,
      inputs: {
        ...inputs,
        'waiver-approvers': 'nowhere/approvers',
        'waiver-approvers-token': 'ghs_secret123',
      },
    });
    runs.push(run);
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((a) => a.message)).toEqual([
      expect.stringMatching(/^Input "waiver-approvers": "nowhere\/approvers" does not exist\./),
    ]);
    expect(leakedSecrets(run, ['ghs_secret123'])).toEqual([]);
  });
});

describe('README: waivers', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Waivers'), readme.indexOf('### Bad input'));
  const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1],
    text: m[2] ?? '',
  }));

  it('shows the defaults the code applies', () => {
    const limits = JSON.parse(`{${blocks.find((b) => b.lang === 'json')?.text}}`).waivers;
    expect(limits).toEqual({
      maxDays: DEFAULT_MAX_DAYS,
      ticketPattern: DEFAULT_TICKET_PATTERN,
      approvalRequiredAt: DEFAULT_APPROVAL_AT,
    });
  });

  it('its waivers and approvers file are accepted by the example policy', async () => {
    const ws = workspace({
      'waivers.yaml': blocks.find((b) => b.lang === 'yaml')?.text,
      '.github/deploy-gates/approvers': blocks.find((b) => b.lang === '')?.text,
    });
    cpSync(join(REPO_ROOT, 'examples/policy-gate'), join(ws, 'examples'), { recursive: true });
    const run = await runBundle({
      action: 'dist/index.js',
      workspace: ws,
      inputs: {
        policies: 'examples/release-readiness.json',
        facts: 'examples/facts-not-ready.json',
        waivers: 'waivers.yaml',
      },
    });
    runs.push(run);
    const waivers = report(run).waivers;
    expect(waivers.map((w: { state: string; problems: string[] }) => [w.state, w.problems])).toEqual([
      ['active', []],
      ['active', []],
    ]);
    expect(waivers[1].approverCheck.detail).toBe('listed in .github/deploy-gates/approvers');
    expect(status(run, 'example.no-critical-findings')).toBe('waived');
  });

  it('the example waivers file keeps the limits', async () => {
    const ws = workspace({});
    cpSync(join(REPO_ROOT, 'examples/policy-gate'), ws, { recursive: true });
    const run = await runBundle({
      action: 'dist/index.js',
      workspace: ws,
      inputs: { policies: 'release-readiness.json', facts: 'facts-not-ready.json', waivers: 'waivers.yaml' },
    });
    runs.push(run);
    expect(report(run).waivers.map((w: { state: string }) => w.state)).toEqual(['active']);
    expect(status(run, 'example.coverage-lines')).toBe('waived');
  });
});
