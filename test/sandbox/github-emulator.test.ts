import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { reviewDeployment } from '../../sandbox/github/review.js';

// Octokit, unchanged but for baseUrl, against the emulator: the contract the actions rely on.
let github: GitHubEmulator;
let octokit: ReturnType<typeof getOctokit>;
const owner = 'neonpro';
const SHA = 'e'.repeat(40);

beforeAll(async () => {
  github = await startGitHubEmulator();
  octokit = getOctokit(github.token, { baseUrl: github.apiUrl });
});
afterAll(async () => {
  await github?.close();
});

describe('GitHub emulator', () => {
  it('refuses a bad token with 401 "Bad credentials" and answers 404 for an unknown path', async () => {
    const stranger = getOctokit('ghs_nope', { baseUrl: github.apiUrl });
    await expect(stranger.rest.issues.get({ owner, repo: 'a', issue_number: 1 })).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/nothing', { owner, repo: 'a' }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('issues: create, list by label across pages, update', async () => {
    const repo = 'issues';
    for (let i = 0; i < 3; i++)
      await octokit.rest.issues.create({
        owner,
        repo,
        title: `t${i}`,
        labels: i === 1 ? ['x'] : ['incident'],
      });
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner,
      repo,
      labels: 'incident',
      per_page: 1,
    });
    expect(all.map((i) => i.title)).toEqual(['t2', 't0']);
    const { data } = await octokit.rest.issues.update({ owner, repo, issue_number: 1, state: 'closed' });
    expect(data.state).toBe('closed');
  });

  it("issues are stamped with GitHub's clock, as comments and deployments are", async () => {
    const clocked = await startGitHubEmulator();
    try {
      clocked.setClock('2027-03-01T10:00:00Z');
      const api = getOctokit(clocked.token, { baseUrl: clocked.apiUrl });
      const { data: created } = await api.rest.issues.create({ owner, repo: 'clock', title: 'incident' });
      expect(created.created_at.slice(0, 10)).toBe('2027-03-01');
      clocked.setClock('2027-03-02T10:00:00Z');
      const { data: updated } = await api.rest.issues.update({
        owner,
        repo: 'clock',
        issue_number: created.number,
        state: 'closed',
      });
      expect(updated.updated_at.slice(0, 10)).toBe('2027-03-02');
      expect(updated.created_at).toBe(created.created_at);
    } finally {
      await clocked.close();
    }
  });

  it('deployments: 409 while checks are red unless required_contexts is given; auto_inactive spares production', async () => {
    const repo = 'deploys';
    github.addCheckRun(`${owner}/${repo}`, SHA, { name: 'test', status: 'completed', conclusion: 'failure' });
    await expect(
      octokit.rest.repos.createDeployment({ owner, repo, ref: SHA, environment: 'production' }),
    ).rejects.toMatchObject({ status: 409 });

    const create = async (environment: string) => {
      const { data } = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: SHA,
        environment,
        required_contexts: [],
        auto_merge: false,
      });
      if (!('id' in data)) throw new Error('no deployment');
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: data.id,
        state: 'success',
      });
      return data.id;
    };
    const [prod1, prod2] = [await create('production'), await create('production')];
    const [stage1, stage2] = [await create('staging'), await create('staging')];
    const latest = async (id: number) =>
      (await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: id })).data[0]?.state;
    expect([await latest(prod1), await latest(prod2)]).toEqual(['success', 'success']);
    expect([await latest(stage1), await latest(stage2)]).toEqual(['inactive', 'success']);

    const { data: listed } = await octokit.rest.repos.listDeployments({
      owner,
      repo,
      environment: 'production',
    });
    expect(listed.map((d) => d.id)).toEqual([prod2, prod1]);
    await expect(
      octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: prod1,
        state: 'bogus' as 'success',
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('the runs of a matrix waiting on one environment: each is reviewed on its own, oldest first', async () => {
    const repo = 'matrix-approvals';
    github.setEnvironment(`${owner}/${repo}`, 'production', {
      reviewers: [{ type: 'User', name: 'cto' }],
    });
    const runId = 4242;
    const jobs = ['playbook (neonpro-web) / approve', 'playbook (neonpro-clinics) / approve'];
    for (const job of jobs)
      github.waitForApproval(`${owner}/${repo}`, {
        runId,
        attempt: 1,
        actor: 'octocat',
        job,
        environment: 'production',
      });
    const review = () =>
      reviewDeployment({
        apiUrl: github.apiUrl,
        token: github.userToken('cto'),
        repository: `${owner}/${repo}`,
        runId: String(runId),
        environment: 'production',
        state: 'approved',
        comment: 'ok',
      });
    const status = async () =>
      (await octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: runId })).data.jobs.map(
        (j) => [j.name, j.status],
      );
    expect(await review()).toMatchObject({ ok: true });
    expect(await status()).toEqual([
      [jobs[0], 'in_progress'],
      [jobs[1], 'waiting'],
    ]);
    expect(await review()).toMatchObject({ ok: true });
    expect(await status()).toEqual([
      [jobs[0], 'in_progress'],
      [jobs[1], 'in_progress'],
    ]);
    // Nothing waits any more: a third review has nothing to approve.
    expect(await review()).toMatchObject({ ok: false, status: 404 });
  });

  it('answers 502 on demand, which Octokit surfaces', async () => {
    github.failNext(1);
    await expect(octokit.rest.repos.listDeployments({ owner, repo: 'x' })).rejects.toMatchObject({
      status: 502,
    });
    const { data } = await octokit.rest.repos.listDeployments({ owner, repo: 'x' });
    expect(data).toEqual([]);
  });

  it('workflow runs and branches: what a run was, and whether its branch is protected', async () => {
    github.protectBranch(`${owner}/runs`, 'main', ['ci']);
    github.addWorkflowRun(`${owner}/runs`, {
      id: 77,
      path: '.github/workflows/deploy.yml',
      event: 'workflow_dispatch',
      head_branch: 'main',
      head_sha: 'abc',
      status: 'completed',
      conclusion: 'success',
    });
    const { data: run } = await octokit.rest.actions.getWorkflowRun({ owner, repo: 'runs', run_id: 77 });
    expect(run).toMatchObject({
      path: '.github/workflows/deploy.yml',
      event: 'workflow_dispatch',
      head_branch: 'main',
      conclusion: 'success',
      repository: { full_name: `${owner}/runs` },
      head_repository: { full_name: `${owner}/runs` },
    });
    await expect(
      octokit.rest.actions.getWorkflowRun({ owner, repo: 'runs', run_id: 78 }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const branch = async (name: string) =>
      (await octokit.rest.repos.getBranch({ owner, repo: 'runs', branch: name })).data;
    expect(await branch('main')).toMatchObject({ name: 'main', protected: true });
    expect(await branch('feature/x')).toMatchObject({ name: 'feature/x', protected: false });
  });

  it("a workflow's runs, newest first, by file name or id, filtered by head_sha, status or conclusion, branch and event, paged", async () => {
    const repo = 'workflow-runs';
    const run = (id: number, over: Partial<Parameters<GitHubEmulator['addWorkflowRun']>[1]>) =>
      github.addWorkflowRun(`${owner}/${repo}`, {
        id,
        path: '.github/workflows/ci.yml',
        event: 'push',
        head_branch: 'main',
        head_sha: SHA,
        status: 'completed',
        conclusion: 'success',
        created_at: `2026-03-10T0${id % 10}:00:00Z`,
        ...over,
      });
    run(101, {});
    run(103, { conclusion: 'failure' });
    run(102, { head_sha: 'f'.repeat(40) });
    run(104, { status: 'in_progress', conclusion: null, head_branch: 'feature/x', event: 'pull_request' });
    run(105, { path: '.github/workflows/deploy.yml' });
    const list = async (params: Record<string, string | number>, workflow_id: string | number = 'ci.yml') => {
      const { data } = await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id, ...params });
      return { total: data.total_count, ids: data.workflow_runs.map((r) => r.id) };
    };
    expect(await list({})).toEqual({ total: 4, ids: [104, 103, 102, 101] });
    expect(await list({ head_sha: SHA })).toEqual({ total: 3, ids: [104, 103, 101] });
    expect(await list({ head_sha: SHA, status: 'success' })).toEqual({ total: 1, ids: [101] });
    expect(await list({ status: 'failure' })).toEqual({ total: 1, ids: [103] });
    expect(await list({ status: 'completed' })).toEqual({ total: 3, ids: [103, 102, 101] });
    expect(await list({ status: 'in_progress', branch: 'feature/x', event: 'pull_request' })).toEqual({
      total: 1,
      ids: [104],
    });
    expect(await list({ branch: 'main', per_page: 2 })).toEqual({ total: 3, ids: [103, 102] });
    expect(await list({ branch: 'main', per_page: 2, page: 2 })).toEqual({ total: 3, ids: [101] });
    // The workflow by its id, as GitHub gives it in each run.
    const { data } = await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: 'deploy.yml' });
    expect(data.workflow_runs[0]).toMatchObject({
      id: 105,
      path: '.github/workflows/deploy.yml',
      head_sha: SHA,
      conclusion: 'success',
      html_url: `https://github.com/${owner}/${repo}/actions/runs/105`,
    });
    expect(await list({}, data.workflow_runs[0]?.workflow_id ?? 0)).toEqual({ total: 1, ids: [105] });
    await expect(list({}, 'no-such.yml')).rejects.toMatchObject({ status: 404 });
  });
});
