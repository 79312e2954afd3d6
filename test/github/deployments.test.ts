import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { GitHubDeployments } from '../../src/github/deployments.js';
import { octokitFor, repoParams } from '../../src/github/octokit.js';

// The github area over real HTTP against the emulator, with the real Octokit.
let github: GitHubEmulator;
beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(async () => {
  await github?.close();
});

const REPO = 'acme/app';
const deployments = async (environment = 'production') =>
  new GitHubDeployments(await octokitFor(github.token, github.apiUrl), repoParams(REPO), environment);

describe('repoParams', () => {
  it('splits owner/name', () => {
    expect(repoParams('acme/app')).toEqual({ owner: 'acme', repo: 'app' });
    expect(repoParams('bad')).toEqual({ owner: 'bad', repo: '' });
  });
});

describe('GitHubDeployments', () => {
  it('creates one deployment per run and finds it again on a re-run', async () => {
    const d = await deployments();
    const first = await d.forRun('a'.repeat(40), '100', { vercel: 'dpl_1' }, 'deploy 1');
    const again = await d.forRun('a'.repeat(40), '100', { vercel: 'dpl_1' }, 'deploy 1');
    expect(first.created).toBe(true);
    expect(again).toEqual({ deployment: first.deployment, created: false });
    expect(first.deployment).toMatchObject({
      environment: 'production',
      payload: { vercel: 'dpl_1', deployGatesRun: '100' },
    });
    expect(github.deployments(REPO).filter((x) => x.id === first.deployment.id)).toHaveLength(1);
  });

  it('keeps statuses newest first, finds the one live before, and retires the others', async () => {
    const d = await deployments('staging');
    const old = (await d.forRun('b'.repeat(40), '200', {}, 'old')).deployment;
    await d.setStatus(old.id, 'success', { environmentUrl: 'https://old.example.com' });
    const cur = (await d.forRun('c'.repeat(40), '201', {}, 'new')).deployment;
    await d.setStatus(cur.id, 'in_progress');
    await d.setStatus(cur.id, 'success', { environmentUrl: 'https://new.example.com' });

    expect((await d.statuses(cur.id)).map((s) => s.state)).toEqual(['success', 'in_progress']);
    expect(await d.latestStatus(cur.id)).toEqual({
      state: 'success',
      environmentUrl: 'https://new.example.com',
    });
    expect(await d.liveBefore(cur.id)).toEqual({ id: old.id, environmentUrl: 'https://old.example.com' });
    expect(await d.retireOthers(cur.id)).toEqual([old.id]);
    expect((await d.latestStatus(old.id))?.state).toBe('inactive');
    expect(await d.retireOthers(cur.id)).toEqual([]);
  });

  it('a refused token surfaces as the API error', async () => {
    const d = new GitHubDeployments(
      await octokitFor('ghs_wrong', github.apiUrl),
      repoParams(REPO),
      'production',
    );
    await expect(d.list()).rejects.toMatchObject({ status: 401 });
  });
});
