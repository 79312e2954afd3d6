import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { type ActionRun, RUN_DEFAULTS, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';
import {
  type Behaviour,
  healthyApp,
  type ScriptedServer,
  scriptedServer,
} from '../support/scripted-server.js';

// watch, run from its committed bundle against the GitHub emulator (its clock moved forward) and scripted apps.
const ACTION = 'actions/watch/dist/index.js';
const TOKEN = 'test-user-token-watch-3f1a';
const REPO = RUN_DEFAULTS.repository;
const HOUR = 3_600_000;
let github: GitHubEmulator;
const runs: ActionRun[] = [];
const servers: ScriptedServer[] = [];

beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(() => github.close());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${github.apiUrl}/repos/${REPO}${path}`, {
    method,
    headers: { authorization: `token ${github.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.status === 204 ? undefined : res.json();
}

/** A deployment of `environment` that went live at `liveAt` on GitHub's clock, and an issue for the comments. */
async function liveDeployment(environment: string, url: string, liveAt: string) {
  github.setClock(liveAt);
  const d = (await api('POST', '/deployments', {
    ref: 'abc123',
    environment,
    required_contexts: [],
    payload: { deployGatesRun: '4242' },
  })) as { id: number };
  await api('POST', `/deployments/${d.id}/statuses`, { state: 'success', environment_url: url });
  const issue = (await api('POST', '/issues', { title: `Release ${environment}` })) as { number: number };
  return { id: d.id, issue: issue.number };
}

async function app(overrides: Parameters<typeof healthyApp>[1] = {}) {
  const s = await scriptedServer(healthyApp(TOKEN, overrides));
  servers.push(s);
  return s;
}

async function watch(inputs: Record<string, string>): Promise<ActionRun> {
  const run = await runBundle({
    action: ACTION,
    workspace: workspace({}),
    inputs: {
      'github-token': github.token,
      samples: '2',
      interval: '0s',
      timeout: '2s',
      'bearer-token': TOKEN,
      ...inputs,
    },
    env: { GITHUB_API_URL: github.apiUrl },
    stepId: 'watch',
    timeoutMs: 60_000,
  });
  runs.push(run);
  return run;
}

const statuses = async (id: number) =>
  ((await api('GET', `/deployments/${id}/statuses`)) as { state: string; description: string }[]).map(
    (s) => `${s.state} ${s.description}`,
  );
const comments = async (issue: number) =>
  (await api('GET', `/issues/${issue}/comments`)) as { body: string }[];
const dispatches = () => github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');

describe('watch action', () => {
  it('fails closed when the environment has no live deployment', async () => {
    const run = await watch({ environment: 'nowhere' });
    expect(run.exitCode).toBe(1);
    expect(
      errors(run)
        .map((e) => e.message)
        .join('\n'),
    ).toMatch(/No deployment of environment "nowhere".*not a pass/);
  });

  it('does not watch a deployment that was rolled back: the one live again is watched', async () => {
    const server = await app();
    const before = await liveDeployment('w-back', server.url, '2026-03-10T08:00:00Z');
    const failed = await liveDeployment('w-back', server.url, '2026-03-10T10:00:00Z');
    // The rollback's record (rollback/github-status.ts): the failed one failure, the earlier one live again.
    await api('POST', `/deployments/${failed.id}/statuses`, { state: 'failure', description: 'Rolled back' });
    await api('POST', `/deployments/${before.id}/statuses`, {
      state: 'success',
      environment_url: server.url,
      description: `Live again after the rollback of ${failed.id}`,
    });
    github.setClock('2026-03-10T11:30:00Z');
    const run = await watch({ environment: 'w-back' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'deployment-id': String(before.id), horizons: 'T+1h' });
    expect(await statuses(failed.id)).toHaveLength(2);
    // With nothing live at all (the rolled-back deployment the only one), nothing is watched: the step fails.
    const alone = await liveDeployment('w-alone', server.url, '2026-03-10T10:00:00Z');
    await api('POST', `/deployments/${alone.id}/statuses`, { state: 'failure', description: 'Rolled back' });
    const none = await watch({ environment: 'w-alone' });
    expect(none.exitCode).toBe(1);
    expect(errors(none).map((e) => e.message)).toEqual([
      expect.stringMatching(/No deployment of environment "w-alone" .* is live .*not rolled back/),
    ]);
    expect(await statuses(alone.id)).toHaveLength(2);
  });

  it('keeps watching a deployment whose own failed horizon is recorded as failure', async () => {
    const server = await app({ '/health': () => ({ status: 500, json: { status: 'down' } }) });
    const d = await liveDeployment('w-again', server.url, '2026-03-10T10:00:00Z');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 2 * HOUR).toISOString());
    expect((await watch({ environment: 'w-again' })).outputs).toMatchObject({
      horizons: 'T+1h',
      verdict: 'fail',
    });
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 25 * HOUR).toISOString());
    const run = await watch({ environment: 'w-again' });
    expect(run.outputs).toMatchObject({ 'deployment-id': String(d.id), horizons: 'T+24h', verdict: 'fail' });
  });

  it('skips horizons that are not due, changing nothing', async () => {
    const server = await app();
    const d = await liveDeployment('w-early', server.url, '2026-03-10T10:00:00Z');
    github.setClock('2026-03-10T10:30:00Z');
    const run = await watch({ environment: 'w-early', issue: String(d.issue) });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.horizons).toBe('');
    expect(server.hits('/health')).toBe(0);
    expect(await statuses(d.id)).toHaveLength(1);
    expect(await comments(d.issue)).toEqual([]);
  });

  it('runs the T+1h final validation once: a re-run neither measures nor posts again', async () => {
    const server = await app();
    const d = await liveDeployment('w-hour', server.url, '2026-03-10T10:00:00Z');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + HOUR + 60_000).toISOString());
    const run = await watch({ environment: 'w-hour', issue: String(d.issue) });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ horizons: 'T+1h', verdict: 'pass', 'rollback-dispatched': 'false' });
    expect((await statuses(d.id))[0]).toMatch(/^success deploy-gates watch T\+1h: pass/);
    expect(await comments(d.issue)).toHaveLength(1);
    const hits = server.hits('/health');
    const again = await watch({ environment: 'w-hour', issue: String(d.issue) });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs.horizons).toBe('');
    expect(server.hits('/health')).toBe(hits);
    expect(await comments(d.issue)).toHaveLength(1);
  });

  it('at T+24h a failing deployment (500s) is not a pass: rollback dispatched exactly once across re-runs', async () => {
    const server = await app({ '/health': () => ({ status: 500, json: { status: 'down' } }) });
    const d = await liveDeployment('w-day', server.url, '2026-03-10T10:00:00Z');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 25 * HOUR).toISOString());
    const before = dispatches().length;
    const run = await watch({ environment: 'w-day', issue: String(d.issue), 'rollback-dispatch': 'true' });
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.outputs).toMatchObject({
      horizons: 'T+1h,T+24h',
      verdict: 'fail',
      'rollback-dispatched': 'true',
    });
    const recorded = await statuses(d.id);
    expect(recorded.filter((s) => /^failure deploy-gates watch T\+(1h|24h): fail/.test(s))).toHaveLength(2);
    const [comment] = await comments(d.issue);
    expect(comment?.body).toMatch(/Rollback started.*rollback\.yml/);
    expect(dispatches().length - before).toBe(1);
    const again = await watch({ environment: 'w-day', issue: String(d.issue), 'rollback-dispatch': 'true' });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(dispatches().length - before).toBe(1);
    expect(await comments(d.issue)).toHaveLength(1);
  });

  it.each([
    ['answers without data (an empty 200)', (() => ({ text: '' })) as Behaviour],
    ['hangs', (() => 'hang') as Behaviour],
  ])('at T+24h an endpoint that %s is not a pass', async (what, behaviour) => {
    const server = await app({ '/api/health/database': behaviour });
    const env = `w-${what.split(' ')[0]}`;
    const d = await liveDeployment(env, server.url, '2026-03-10T10:00:00Z');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 24 * HOUR + 60_000).toISOString());
    const run = await watch({ environment: env, issue: String(d.issue), timeout: '1s' });
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.outputs).toMatchObject({
      horizons: 'T+1h,T+24h',
      verdict: 'fail',
      'rollback-recommended': 'true',
    });
    expect((await statuses(d.id))[0]).toMatch(/^failure deploy-gates watch T\+24h: fail/);
  });

  it('at T+1w posts the week report with every horizon recorded', async () => {
    const server = await app();
    const d = await liveDeployment('w-week', server.url, '2026-03-10T10:00:00Z');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 2 * HOUR).toISOString());
    expect((await watch({ environment: 'w-week', issue: String(d.issue) })).outputs.horizons).toBe('T+1h');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 26 * HOUR).toISOString());
    expect((await watch({ environment: 'w-week', issue: String(d.issue) })).outputs.horizons).toBe('T+24h');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 7 * 24 * HOUR + HOUR).toISOString());
    const run = await watch({ environment: 'w-week', issue: String(d.issue) });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.horizons).toBe('T+1w');
    const all = await comments(d.issue);
    expect(all).toHaveLength(3);
    expect(all[2]?.body).toMatch(
      /#### The week[\s\S]*- T\+1h .*pass[\s\S]*- T\+24h .*pass[\s\S]*- T\+1w: pass/,
    );
  });

  it('recommends the rollback workflow without dispatching when not opted in', async () => {
    const server = await app({ '/health': () => ({ status: 500, json: { status: 'down' } }) });
    const d = await liveDeployment('w-rec', server.url, '2026-03-10T10:00:00Z');
    github.setClock(new Date(Date.parse('2026-03-10T10:00:00Z') + 25 * HOUR).toISOString());
    const before = dispatches().length;
    const run = await watch({ environment: 'w-rec', issue: String(d.issue) });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['rollback-dispatched']).toBe('false');
    expect((await comments(d.issue))[0]?.body).toMatch(
      /Rollback recommended.*actions\/workflows\/rollback\.yml/,
    );
    expect(dispatches().length).toBe(before);
  });
});
