import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sandbox/runner/run-bundle.js';
import {
  type JobRun,
  runWorkflow,
  type WorkflowEvent,
  type WorkflowRun,
} from '../../sandbox/workflow/run-workflow.js';
import { loadWorkflow } from '../../sandbox/workflow/workflow-file.js';
import { results, why } from '../support/run-results.js';

const workflow = await loadWorkflow(join(REPO_ROOT, 'test/fixtures/workflows/matrix.yml'));
const MEDICAL = 'sign (Medical director, sign-medical)';
const CTO = 'sign (CTO, sign-cto)';

/** Each run of a matrix job by its name, with its result. */
const runsOf = (run: WorkflowRun, job: string) =>
  Object.fromEntries((run.jobs[job]?.matrix ?? []).map((r) => [r.id, r.result]));

/**
 * Approvals that are answered only once `count` of them are pending together: a runner asking one after
 * the other never gets there (the test times out).
 */
function allPendingAtOnce(count: number) {
  const asked: string[] = [];
  let release = () => {};
  const everyone = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    asked,
    approve: async (job: string, environment: string) => {
      asked.push(`${job} @ ${environment}`);
      if (asked.length === count) release();
      await everyone;
      return true;
    },
  };
}

function start(
  inputs: Record<string, unknown>,
  approve: (job: string, environment: string) => Promise<boolean>,
  events: WorkflowEvent[] = [],
) {
  return runWorkflow({
    workflow,
    repoRoot: REPO_ROOT,
    workspace: mkdtempSync(join(tmpdir(), 'dg-matrix-')),
    inputs,
    approve,
    onEvent: (e) => events.push(e),
  });
}

describe('local workflow runner: strategy.matrix', () => {
  it('a list from an earlier job: one run per role, named as GitHub names it, every approval pending at once', async () => {
    const approvals = allPendingAtOnce(2);
    const events: WorkflowEvent[] = [];
    const run = await start({}, approvals.approve, events);
    expect(results(run), why(run)).toMatchObject({
      plan: 'success',
      sign: 'success',
      after: 'success',
      'after-chain': 'success',
    });
    expect(runsOf(run, 'sign')).toEqual({ [MEDICAL]: 'success', [CTO]: 'success' });
    expect(approvals.asked.sort()).toEqual([`${CTO} @ sign-cto`, `${MEDICAL} @ sign-medical`]);
    // Each run is a job of its own to GitHub: its approval, start and end carry its name.
    for (const name of [MEDICAL, CTO])
      for (const type of ['approval', 'job-start', 'job-end'])
        expect(
          events.some((e) => e.type === type && (e.type === 'job-end' ? e.job.id : e.job) === name),
          `${type} of ${name}`,
        ).toBe(true);
    expect(events.some((e) => e.type === 'job-end' && e.job.id === 'sign')).toBe(false);
    expect(run.jobs.sign?.matrix?.map((r) => r.environment)).toEqual([
      { name: 'sign-medical', approved: true },
      { name: 'sign-cto', approved: true },
    ]);
    // The matrix and strategy contexts in the steps; the job's outputs are the last run's.
    expect(['Medical director 0/2', 'CTO 1/2']).toContain(run.jobs.sign?.outputs.signed);
    expect(run.jobs.after?.outputs).toEqual({ seen: 'success' });
  });

  it('include, exclude and names: values appended to a name without the matrix, a name with it evaluated', async () => {
    const run = await start({ sign: false, roles: '' }, async () => true);
    expect(runsOf(run, 'build')).toEqual({
      'Build (linux, 22, main)': 'success',
      'Build (linux, 24, main)': 'success',
      'Build (mac, 24)': 'success',
      'Build (windows, 24)': 'success',
    });
    expect(run.jobs.build?.matrix?.map((r) => r.combination)).toEqual([
      { os: 'linux', node: 22, label: 'main' },
      { os: 'linux', node: 24, label: 'main' },
      { os: 'mac', node: 24 },
      { os: 'windows', node: 24 },
    ]);
    expect(runsOf(run, 'named')).toEqual({ 'Lint biome': 'success', 'Lint tsc': 'success' });
  });

  it('a job without a matrix is listed by its name (evaluated) in its events, and keyed by its id', async () => {
    const events: WorkflowEvent[] = [];
    const run = await start({ sign: false, roles: '' }, async () => true, events);
    expect(run.jobs.report).toMatchObject({ id: 'report', name: 'Report for nobody', result: 'success' });
    expect(events).toContainEqual({ type: 'job-start', job: 'Report for nobody' });
    expect(events.some((e) => e.type === 'job-end' && e.job.name === 'Report for nobody')).toBe(true);
  });

  it('a matrix job skipped by its if: is one skipped job, its matrix not evaluated; a job needing it is skipped unless its if: says otherwise', async () => {
    const run = await start({ sign: false, roles: '' }, async () => true);
    expect(results(run), why(run)).toMatchObject({
      plan: 'success',
      sign: 'skipped',
      after: 'skipped',
      'after-optional': 'success',
      // The skip reaches further down the chain, past the job that ran through its own if:.
      'after-chain': 'skipped',
    });
    expect(run.jobs.sign?.matrix).toBeUndefined();
  });

  it('re-running failed jobs keeps a job its if: skipped, and reruns what failed with the jobs after it', async () => {
    const first = await start({ sign: false, roles: '', fail: 'x' }, async () => true);
    expect(results(first)).toMatchObject({ sign: 'skipped', 'after-optional': 'success', after: 'skipped' });
    const second = await runWorkflow({
      workflow,
      repoRoot: REPO_ROOT,
      workspace: mkdtempSync(join(tmpdir(), 'dg-matrix-')),
      inputs: { sign: false, roles: '' },
      previous: {
        ...first,
        jobs: { ...first.jobs, plan: { ...(first.jobs.plan as JobRun), result: 'failure' } },
      },
    });
    // plan "failed": it and everything after it run again; build did not fail and is reused.
    expect(second.jobs.plan?.reused).toBe(false);
    expect(second.jobs.build?.reused).toBe(true);
    const third = await runWorkflow({
      workflow,
      repoRoot: REPO_ROOT,
      workspace: mkdtempSync(join(tmpdir(), 'dg-matrix-')),
      inputs: { sign: false, roles: '' },
      previous: second,
    });
    // Nothing failed: the skipped sign and the jobs after it are kept as they were.
    expect(Object.values(third.jobs).every((j) => j.reused)).toBe(true);
  });

  it('fail-fast: a failed run cancels the others (one still waiting for its approval included); needs sees a failure', async () => {
    const events: WorkflowEvent[] = [];
    const medicalEnded = new Promise<void>((resolve) => {
      const push = events.push.bind(events);
      events.push = (...items: WorkflowEvent[]) => {
        const n = push(...items);
        if (items.some((e) => e.type === 'job-end' && e.job.id === MEDICAL)) resolve();
        return n;
      };
    });
    // The CTO approves only after the medical director's run has failed.
    const approve = async (job: string) => {
      if (job === CTO) await medicalEnded;
      return true;
    };
    const run = await start({ fail: 'Medical director' }, approve, events);
    expect(runsOf(run, 'sign')).toEqual({ [MEDICAL]: 'failure', [CTO]: 'cancelled' });
    expect(run.jobs.sign?.matrix?.[1]?.steps).toEqual([]);
    expect(results(run)).toMatchObject({ sign: 'failure', after: 'skipped', 'after-optional': 'skipped' });
    expect(run.result).toBe('failure');
  });

  it('without fail-fast every run finishes; one failure still fails the matrix job', async () => {
    const run = await start({ fail: 'CTO', 'fail-fast': false }, async () => true);
    expect(runsOf(run, 'sign')).toEqual({ [MEDICAL]: 'success', [CTO]: 'failure' });
    expect(results(run)).toMatchObject({ sign: 'failure', after: 'skipped' });
  });

  it('a refused approval fails that run only, and the matrix job', async () => {
    const run = await start({ 'fail-fast': false }, async (job) => job !== CTO);
    expect(runsOf(run, 'sign')).toEqual({ [MEDICAL]: 'success', [CTO]: 'failure' });
    expect(run.jobs.sign?.matrix?.[1]?.environment).toEqual({ name: 'sign-cto', approved: false });
    expect(results(run)).toMatchObject({ sign: 'failure', after: 'skipped' });
  });

  it('a vector with no values fails the job, as GitHub refuses it', async () => {
    const run = await start({ roles: '[]' }, async () => true);
    expect(results(run)).toMatchObject({ sign: 'failure', after: 'skipped' });
    expect(run.jobs.sign?.steps[0]?.errors).toEqual(["Matrix vector 'role' does not contain any values"]);
  });
});

const projects = await loadWorkflow(join(REPO_ROOT, 'test/fixtures/workflows/projects.yml'));

describe('local workflow runner: a matrix of reusable workflow calls (many projects)', () => {
  const run = (inputs: Record<string, unknown>, approve: (job: string, env: string) => Promise<boolean>) => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-projects-'));
    const log = join(dir, 'log');
    writeFileSync(log, '');
    return runWorkflow({
      workflow: projects,
      repoRoot: REPO_ROOT,
      workspace: dir,
      inputs: { log, ...inputs },
      approve,
    }).then((r) => ({ run: r, log: readFileSync(log, 'utf8').trim().split('\n') }));
  };
  /**
   * Approvals that stay pending for a few turns of the event loop: the most pending at once is how many
   * projects the runner had started together.
   */
  const holding = () => {
    const asked: string[] = [];
    let pending = 0;
    const state = { most: 0, asked };
    const approve = async (job: string, env: string) => {
      asked.push(`${job} @ ${env}`);
      state.most = Math.max(state.most, ++pending);
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      pending -= 1;
      return true;
    };
    return { state, approve };
  };

  it('each project calls the workflow with its own inputs and approval, at most max-parallel at once', async () => {
    const { state, approve } = holding();
    const { run: r, log } = await run({ 'max-parallel': 2 }, approve);
    const { asked } = state;
    expect(r.result, why(r)).toBe('success');
    expect(runsOf(r, 'deploy')).toEqual({
      'deploy (clinic-a)': 'success',
      'deploy (clinic-b)': 'success',
      'deploy (clinic-c)': 'success',
    });
    expect(asked.sort()).toEqual([
      'deploy (clinic-a) / deploy @ production-clinic-a',
      'deploy (clinic-b) / deploy @ production-clinic-b',
      'deploy (clinic-c) / deploy @ production-clinic-c',
    ]);
    expect(log.filter((l) => l.startsWith('start')).sort()).toEqual([
      'start clinic-a',
      'start clinic-b',
      'start clinic-c',
    ]);
    // The third project starts only when one of the first two has finished.
    expect(state.most).toBe(2);
    const called = r.jobs.deploy?.matrix?.find((m) => m.id === 'deploy (clinic-b)')?.called;
    expect(called?.outputs).toEqual({ deployed: 'clinic-b' });
  });

  it('max-parallel as large as the matrix starts every project at once', async () => {
    const { state, approve } = holding();
    const { run: r } = await run({ 'max-parallel': 3 }, approve);
    expect(r.result, why(r)).toBe('success');
    expect(state.most).toBe(3);
  });

  it('max-parallel 1 runs the projects one after the other', async () => {
    const { run: r, log } = await run({ 'max-parallel': 1 }, async () => true);
    expect(r.result, why(r)).toBe('success');
    expect(log).toEqual([
      'start clinic-a',
      'end clinic-a',
      'start clinic-b',
      'end clinic-b',
      'start clinic-c',
      'end clinic-c',
    ]);
  });

  it('without fail-fast one project fails and rolls back alone; the others deploy', async () => {
    const { run: r, log } = await run({ fail: 'clinic-b' }, async () => true);
    expect(runsOf(r, 'deploy')).toEqual({
      'deploy (clinic-a)': 'success',
      'deploy (clinic-b)': 'failure',
      'deploy (clinic-c)': 'success',
    });
    expect(log.filter((l) => l.startsWith('rollback'))).toEqual(['rollback clinic-b']);
    expect(r.jobs.deploy?.result).toBe('failure');
    expect(r.jobs.report?.outputs).toEqual({ result: 'failure' });
  });

  it('with fail-fast a failure cancels the projects not started yet', async () => {
    const { run: r, log } = await run(
      { fail: 'clinic-a', 'fail-fast': true, 'max-parallel': 1 },
      async () => true,
    );
    expect(runsOf(r, 'deploy')).toEqual({
      'deploy (clinic-a)': 'failure',
      'deploy (clinic-b)': 'cancelled',
      'deploy (clinic-c)': 'cancelled',
    });
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start clinic-a']);
  });

  it('a max-parallel that is not a whole number of at least 1 fails the job, as GitHub refuses it', async () => {
    const { run: r } = await run({ 'max-parallel': 0 }, async () => true);
    expect(r.jobs.deploy?.result).toBe('failure');
    expect(r.jobs.deploy?.steps[0]?.errors[0]).toMatch(/max-parallel is 0/);
  });
});
