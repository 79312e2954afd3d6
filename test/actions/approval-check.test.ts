import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { reviewDeployment } from '../../sandbox/github/review.js';
import { type ActionRun, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';

// approval-check, from its committed bundle, against GitHub's record of a run's approval as the emulator
// keeps it: the approver reviews through POST /actions/runs/{id}/pending_deployments as in GitHub's UI.
const ACTION = 'actions/approval-check/dist/index.js';
const REPO = 'neonpro/healthcare-platform';
const JOB = 'deploy / approve';
let github: GitHubEmulator;
let nextRun = 1000;
const runs: ActionRun[] = [];

beforeAll(async () => {
  github = await startGitHubEmulator();
  github.setEnvironment(REPO, 'production', {
    reviewers: [
      { type: 'User', name: 'medical-director' },
      { type: 'User', name: 'cto' },
      { type: 'User', name: 'octocat' },
    ],
    preventSelfReview: true,
    branchPolicy: { protected_branches: true, custom_branch_policies: false },
  });
  // One environment per sign-off role. GitHub lets the run's author approve production-medical (no
  // prevent-self-review there): the sign-off file is what refuses it.
  github.setEnvironment(REPO, 'production-medical', {
    reviewers: [
      { type: 'User', name: 'medical-director' },
      { type: 'User', name: 'octocat' },
    ],
  });
  github.setEnvironment(REPO, 'production-compliance', {
    reviewers: [
      { type: 'User', name: 'compliance-officer' },
      { type: 'User', name: 'cto' },
    ],
  });
  github.setEnvironment(REPO, 'production-cto', { reviewers: [{ type: 'User', name: 'cto' }] });
});
afterAll(() => github.close());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

/** A run whose approve job waited from `waitedAt`, was reviewed at `reviewedAt` and ended then. */
async function reviewed(opts: {
  waitedAt: string;
  reviewedAt: string;
  reviewer?: string;
  state?: 'approved' | 'rejected';
  comment?: string;
  /** Role environments reviewed first, each by its job `sign-<environment>`: [environment, reviewer, state]. */
  roles?: [string, string, ('approved' | 'rejected')?][];
}): Promise<{ runId: number; review: Awaited<ReturnType<typeof reviewDeployment>> }> {
  const runId = ++nextRun;
  github.setClock(opts.waitedAt);
  for (const [environment, reviewer, state = 'approved'] of opts.roles ?? []) {
    const job = `deploy / sign-${environment}`;
    github.waitForApproval(REPO, { runId, attempt: 1, actor: 'octocat', job, environment });
    const signed = await reviewDeployment({
      apiUrl: github.apiUrl,
      token: github.userToken(reviewer),
      repository: REPO,
      runId: String(runId),
      environment,
      state,
      comment: `${reviewer} signs`,
    });
    expect(signed, `${reviewer} on ${environment}`).toMatchObject({ ok: true });
    github.finishJob(REPO, runId, job, state === 'approved' ? 'success' : 'failure');
  }
  github.waitForApproval(REPO, { runId, attempt: 1, actor: 'octocat', job: JOB, environment: 'production' });
  github.setClock(opts.reviewedAt);
  const state = opts.state ?? 'approved';
  const review = await reviewDeployment({
    apiUrl: github.apiUrl,
    token: github.userToken(opts.reviewer ?? 'medical-director'),
    repository: REPO,
    runId: String(runId),
    environment: 'production',
    state,
    comment: opts.comment ?? 'Evidence read; inside the window',
  });
  if (review.ok) github.finishJob(REPO, runId, JOB, state === 'approved' ? 'success' : 'failure');
  return { runId, review };
}

async function check(
  runId: number,
  now: string,
  inputs: Record<string, string> = {},
  env = {},
  files: Record<string, unknown> = {},
) {
  github.setClock(now);
  // The job the check runs in has started: the first change, unless an earlier changing job started.
  github.startJob(REPO, { runId, attempt: 1, actor: 'octocat', job: 'deploy / db' });
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(files),
    inputs: { 'github-token': github.token, ...inputs },
    stepId: 'approval',
    runId: String(runId),
    env: { GITHUB_API_URL: github.apiUrl, ...env },
  });
  runs.push(run);
  return run;
}

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
const evidenceOf = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.evidence ?? '', 'utf8'));

describe('approval-check action', () => {
  it("records who approved, with the comment and GitHub's times, and passes inside the window", async () => {
    const { runId } = await reviewed({
      waitedAt: '2026-03-10T05:00:00Z',
      reviewedAt: '2026-03-10T05:20:00Z',
    });
    const run = await check(runId, '2026-03-10T05:30:00Z');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(errors(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ state: 'approved', 'approved-by': 'medical-director' });
    expect(Date.parse(run.outputs['approved-at'] ?? '')).toBeGreaterThanOrEqual(
      Date.parse('2026-03-10T05:20:00Z'),
    );
    const evidence = evidenceOf(run);
    expect(evidence).toMatchObject({
      kind: 'deploy-gates/approval-evidence',
      decision: 'pass',
      run: { runId: String(runId), repository: REPO },
      approval: {
        environment: 'production',
        state: 'approved',
        reviews: [
          {
            user: 'medical-director',
            state: 'approved',
            comment: 'Evidence read; inside the window',
            environments: ['production'],
          },
        ],
        approvedInsideWindow: true,
        nowInsideWindow: true,
        ageMinutes: 10,
        maxAgeMinutes: 240,
        problems: [],
      },
    });
    expect(evidence.approval.githubNow).toMatch(/^2026-03-10T05:30:0\d\.000Z$/);
    expect(run.summary).toContain('## ✅ Approval of production holds');
    expect(run.summary).toContain(
      '| @medical-director | approved | Evidence read; inside the window | production |',
    );
  });

  it('an approval given after the window closed stops the job with one error; a step env cannot move the clock', async () => {
    // 06:30 in São Paulo: the window 02:00-06:00 closed half an hour before the reviewer clicked.
    const { runId } = await reviewed({
      waitedAt: '2026-03-10T08:00:00Z',
      reviewedAt: '2026-03-10T09:30:00Z',
    });
    const run = await check(runId, '2026-03-10T09:31:00Z', {}, { DEPLOY_GATES_NOW: '2026-03-10T05:30:00Z' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^The approval of production does not hold: GitHub's clock says 2026-03-10 06:31 in America\/Sao_Paulo, outside the change window 02:00-06:00; it was approved at 2026-03-10 06:30 in America\/Sao_Paulo, outside the change window 02:00-06:00\. Nothing was changed\. Start a new run inside the change window/,
      ),
    ]);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    expect(evidenceOf(run)).toMatchObject({
      decision: 'fail',
      approval: { state: 'approved', approvedInsideWindow: false, nowInsideWindow: false },
    });
    expect(run.summary).toContain('## ❌ The approval of production does not hold: nothing is changed');
  });

  it('an approval older than max-approval-age stops the job, even inside the window', async () => {
    const { runId } = await reviewed({
      waitedAt: '2026-03-10T05:00:00Z',
      reviewedAt: '2026-03-10T05:05:00Z',
    });
    // Half a minute past a whole minute, so the age reads the same however long the test takes.
    const run = await check(runId, '2026-03-10T08:55:30Z', { 'max-approval-age': '3h' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /: the approval is 3 h 50 min old, older than max-approval-age 3h\. Nothing was changed\./,
      ),
    ]);
    expect(evidenceOf(run).approval).toMatchObject({ approvedInsideWindow: true, nowInsideWindow: true });
  });

  it("max-duration counts from the first change by GitHub's record: deploy may start 3 h after db, not 4 h 10 min after it; the error says what already changed", async () => {
    // A window that is open all day and a long approval age: only the deadline is judged here.
    const limits = { 'change-window': '00:00-23:59', timezone: 'UTC', 'max-approval-age': '24h' };
    const { runId } = await reviewed({
      waitedAt: '2026-03-10T04:55:00Z',
      reviewedAt: '2026-03-10T05:00:00Z',
    });
    github.setClock('2026-03-10T05:01:00Z');
    github.startJob(REPO, { runId, attempt: 1, actor: 'octocat', job: 'deploy / db' });
    github.setClock('2026-03-10T05:20:00Z');
    github.finishJob(REPO, runId, 'deploy / db', 'success');

    github.setClock('2026-03-10T08:01:00Z');
    github.startJob(REPO, { runId, attempt: 1, actor: 'octocat', job: 'deploy / deploy' });
    const inTime = await check(runId, '2026-03-10T08:01:30Z', limits);
    expect(inTime.exitCode, inTime.stdout).toBe(0);
    expect(evidenceOf(inTime).approval).toMatchObject({
      firstChange: { job: 'deploy / db', startedAt: expect.stringMatching(/^2026-03-10T05:01:0\d/) },
      deadline: expect.stringMatching(/^2026-03-10T09:01:0\d/),
      deadlinePassed: false,
      changed: [{ job: 'deploy / db', attempt: 1, conclusion: 'success' }],
    });
    expect(inTime.summary).toMatch(
      /\| Deadline \(first change \+ 240 min\) \| 2026-03-10T09:01:0\d\.\d+Z \(2026-03-10 09:01 local\) \|/,
    );

    // "Re-run failed jobs" of deploy hours later: a new attempt does not restart the clock.
    github.setClock('2026-03-10T09:11:00Z');
    github.startJob(REPO, { runId, attempt: 2, actor: 'octocat', job: 'deploy / deploy' });
    const late = await check(runId, '2026-03-10T09:11:30Z', limits);
    expect(late.exitCode).toBe(1);
    expect(errors(late)).toEqual([
      expect.stringMatching(
        /^The approval of production does not hold: the deploy's max-duration 4h from the first change \(deploy \/ db, started at 2026-03-10 05:01 in UTC\) ended at 2026-03-10 09:01: no job that changes something starts after it\. Already changed: deploy \/ db \(success\)\. Nothing was changed\. Decide on rolling back what was already changed/,
      ),
    ]);
    expect(late.summary).toContain('| Already changed | deploy / db (success) |');
  });

  it("fails closed when this job is not among changing-jobs (no first change in GitHub's record)", async () => {
    const { runId } = await reviewed({
      waitedAt: '2026-03-10T05:00:00Z',
      reviewedAt: '2026-03-10T05:05:00Z',
    });
    const run = await check(runId, '2026-03-10T05:10:30Z', { 'changing-jobs': 'migrate, release' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringContaining(
        "GitHub's record has no started job among changing-jobs (migrate, release), so the deploy's max-duration cannot be counted from the first change: this job must be one of them",
      ),
    ]);
  });

  it('records a rejection the same way: who, the comment, and the job stops', async () => {
    const { runId, review } = await reviewed({
      waitedAt: '2026-03-10T05:00:00Z',
      reviewedAt: '2026-03-10T05:10:00Z',
      reviewer: 'cto',
      state: 'rejected',
      comment: 'Backup of the night is missing',
    });
    expect(review.ok).toBe(true);
    const run = await check(runId, '2026-03-10T05:12:00Z');
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^The approval of production does not hold: production was rejected by @cto \("Backup of the night is missing"\)\. Nothing was changed\./,
      ),
    ]);
    expect(run.outputs.state).toBe('rejected');
    expect(evidenceOf(run).approval.reviews).toEqual([
      {
        user: 'cto',
        state: 'rejected',
        comment: 'Backup of the night is missing',
        environments: ['production'],
      },
    ]);
    expect(run.summary).toContain('## ❌ production was rejected: nothing is changed');
    expect(run.summary).toContain('| @cto | rejected | Backup of the night is missing | production |');
  });

  it("no review in GitHub's log (an unprotected environment) fails closed", async () => {
    const runId = ++nextRun;
    const run = await check(runId, '2026-03-10T05:30:00Z');
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([expect.stringMatching(/GitHub has no approval of production for this run/)]);
    expect(run.outputs.state).toBe('missing');
  });

  it("GitHub refuses the run's author as reviewer when self-review is prevented (the emulator as GitHub)", async () => {
    const { runId, review } = await reviewed({
      waitedAt: '2026-03-10T05:00:00Z',
      reviewedAt: '2026-03-10T05:10:00Z',
      reviewer: 'octocat',
    });
    expect(review).toMatchObject({ ok: false, status: 422 });
    const run = await check(runId, '2026-03-10T05:12:00Z');
    expect(run.exitCode).toBe(1);
    expect(run.outputs.state).toBe('missing');
  });

  it('a token GitHub refuses, or none, is one input error and nothing is written', async () => {
    const { runId } = await reviewed({
      waitedAt: '2026-03-10T05:00:00Z',
      reviewedAt: '2026-03-10T05:20:00Z',
    });
    const refused = await check(runId, '2026-03-10T05:30:00Z', { 'github-token': 'ghs_not-a-token' });
    expect(refused.exitCode).toBe(1);
    expect(errors(refused)).toEqual([
      expect.stringMatching(/^Input "github-token": GitHub answered 401 to reading the approvals of run \d+/),
    ]);
    expect(refused.outputs).toEqual({});
    const none = await check(runId, '2026-03-10T05:30:00Z', { 'github-token': '' });
    expect(errors(none)).toEqual([expect.stringMatching(/^Input "github-token": is required/)]);
    expect(none.summary).toBe('');
  });
});

describe('approval-check action: sign-off by roles', () => {
  const SIGN_OFF = {
    roles: [
      { name: 'Medical director', environment: 'production-medical' },
      { name: 'Compliance officer', environment: 'production-compliance' },
      { name: 'CTO', environment: 'production-cto' },
    ],
  };
  const withSignOff = (runId: number, signOff: object = SIGN_OFF) =>
    check(runId, '2026-03-10T05:30:00Z', { 'sign-off': 'sign-off.yml' }, {}, { 'sign-off.yml': signOff });
  const times = { waitedAt: '2026-03-10T05:00:00Z', reviewedAt: '2026-03-10T05:20:00Z' };

  it('every role signed by a distinct person passes, each signer in the summary and the evidence', async () => {
    const { runId } = await reviewed({
      ...times,
      roles: [
        ['production-medical', 'medical-director'],
        ['production-compliance', 'compliance-officer'],
        ['production-cto', 'cto'],
      ],
    });
    const run = await withSignOff(runId);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(evidenceOf(run).approval.signOff).toEqual({
      file: 'sign-off.yml',
      selfApproval: false,
      roles: [
        {
          role: 'Medical director',
          environment: 'production-medical',
          signer: 'medical-director',
          approvedBy: ['medical-director'],
          rejectedBy: [],
        },
        {
          role: 'Compliance officer',
          environment: 'production-compliance',
          signer: 'compliance-officer',
          approvedBy: ['compliance-officer'],
          rejectedBy: [],
        },
        { role: 'CTO', environment: 'production-cto', signer: 'cto', approvedBy: ['cto'], rejectedBy: [] },
      ],
    });
    expect(run.summary).toContain('### Sign-off (sign-off.yml; self-approval not allowed)');
    expect(run.summary).toContain('| Compliance officer | production-compliance | ✅ @compliance-officer |');
  });

  it('one reviewer when the sign-off needs three roles stops the job', async () => {
    const { runId } = await reviewed({ ...times, roles: [['production-medical', 'medical-director']] });
    const run = await withSignOff(runId);
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /does not hold: role Compliance officer \(production-compliance\) has no approval; role CTO \(production-cto\) has no approval\. Nothing was changed\. Every role of sign-off\.yml needs its own approver/,
      ),
    ]);
    expect(run.summary).toContain('| CTO | production-cto | ❌ nobody | (none) | (none) |');
  });

  it('one person signing two roles counts once', async () => {
    const { runId } = await reviewed({
      ...times,
      roles: [
        ['production-medical', 'medical-director'],
        ['production-compliance', 'cto'],
        ['production-cto', 'cto'],
      ],
    });
    const run = await withSignOff(runId);
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /was approved only by @cto, who signed another role: each role needs a distinct person/,
      ),
    ]);
  });

  it("the run's author is refused as a signer unless the file allows self-approval", async () => {
    const roles: [string, string][] = [
      ['production-medical', 'octocat'],
      ['production-compliance', 'compliance-officer'],
      ['production-cto', 'cto'],
    ];
    const refused = await withSignOff((await reviewed({ ...times, roles })).runId);
    expect(refused.exitCode).toBe(1);
    expect(errors(refused)).toEqual([
      expect.stringMatching(
        /role Medical director \(production-medical\) was approved only by the run's author \(@octocat\), and sign-off\.yml does not allow self-approval/,
      ),
    ]);
    const allowed = await withSignOff((await reviewed({ ...times, roles })).runId, {
      ...SIGN_OFF,
      selfApproval: true,
    });
    expect(allowed.exitCode, allowed.stdout).toBe(0);
  });

  it('a role rejected stops the job as a rejection', async () => {
    const { runId } = await reviewed({
      ...times,
      roles: [
        ['production-medical', 'medical-director'],
        ['production-compliance', 'compliance-officer', 'rejected'],
        ['production-cto', 'cto'],
      ],
    });
    const run = await withSignOff(runId);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.state).toBe('rejected');
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /role Compliance officer \(production-compliance\) was rejected by @compliance-officer/,
      ),
    ]);
  });

  it('a sign-off file that breaks its format is one input error, before GitHub is asked', async () => {
    const before = github.requests.length;
    const run = await withSignOff(1, { roles: [{ name: 'CTO', environment: 'production-cto', quorum: 2 }] });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^Input "sign-off": sign-off\.yml: roles\[0\] has an unknown key "quorum"\. Write the sign-off file as/,
      ),
    ]);
    expect(github.requests.length).toBe(before);
    expect(run.summary).toBe('');
  });
});
