import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { octokitFor } from '../../src/github/octokit.js';
import { type ScriptedServer, scriptedServer } from '../support/scripted-server.js';

// Over real HTTP: a GitHub that holds a request must not hold the step.
let github: ScriptedServer;
beforeAll(async () => {
  github = await scriptedServer({
    '/repos/acme/app/actions/runs/7/approvals': () => 'hang',
    '/repos/acme/app/actions/runs/8/approvals': () => ({
      json: [{ state: 'approved', user: { login: 'cto' }, comment: 'ok', environments: [] }],
    }),
    '/repos/acme/app/issues/404': () => ({ status: 404, json: { message: 'Not Found' } }),
  });
});
afterAll(() => github?.close());

describe('octokitFor', () => {
  it('gives up on a request GitHub holds, saying which and after how long', async () => {
    const octokit = await octokitFor('ghs_token', github.url, { timeoutMs: 300 });
    const started = Date.now();
    const err = await octokit.rest.actions
      .getReviewsForRun({ owner: 'acme', repo: 'app', run_id: 7 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((err as Error).message).toMatch(
      /^GitHub did not answer GET .*\/repos\/acme\/app\/actions\/runs\/7\/approvals within 0\.3 s$/,
    );
  });

  it('answers as before when GitHub answers in time: data, and errors with their status', async () => {
    const octokit = await octokitFor('ghs_token', github.url, { timeoutMs: 2000 });
    const { data } = await octokit.rest.actions.getReviewsForRun({ owner: 'acme', repo: 'app', run_id: 8 });
    expect(data[0]?.user?.login).toBe('cto');
    const err = await octokit.rest.issues
      .get({ owner: 'acme', repo: 'app', issue_number: 404 })
      .catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(404);
  });
});
