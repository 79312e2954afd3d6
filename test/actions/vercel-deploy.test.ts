import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { type ActionRun, leakedSecrets, runBundle } from '../../sandbox/runner/run-bundle.js';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import { workspace } from '../policy/helpers.js';

// vercel-deploy, run from its committed bundle as the runner runs it, against the Vercel API emulator.
const ACTION = 'actions/vercel-deploy/dist/index.js';
let vercel: VercelEmulator;
let github: GitHubEmulator;
let runNo = 1000;
const runs: ActionRun[] = [];

beforeAll(async () => {
  [vercel, github] = await Promise.all([
    startVercelEmulator({ queuedMs: 0, buildMs: 20 }),
    startGitHubEmulator(),
  ]);
});
afterAll(async () => {
  await Promise.all([vercel?.close(), github?.close()]);
});
afterEach(async () => {
  vercel.clearFaults();
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const APP = {
  'index.html': '<h1>release 2</h1><script src="app.js"></script>',
  'app.js': 'console.log("r2")',
  'style.css': 'h1{}',
};

async function deploy(
  project: string,
  inputs: Record<string, string> = {},
  opts: { runId?: number; files?: Record<string, unknown> } = {},
) {
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(opts.files ?? APP),
    inputs: {
      'vercel-token': vercel.token,
      'vercel-project': project,
      'vercel-team': vercel.teamId,
      'api-url': vercel.apiUrl,
      timeout: '30s',
      'github-token': github.token,
      ...inputs,
    },
    env: { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl },
    runId: opts.runId ?? ++runNo,
    stepId: 'deploy',
  });
  runs.push(run);
  return run;
}

async function projectWithRelease(name: string) {
  await vercel.createProject({ name });
  return vercel.seedDeployment({ project: name, target: 'production', files: { 'index.html': 'release 1' } });
}
const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');
const deploymentsOf = (project: string) =>
  vercel.deployments().filter((d) => d.projectId === vercel.project(project)?.id).length;

describe('vercel-deploy action', () => {
  it('builds once as a staged production deployment, promotes it, and the domain serves it; previous id and SRI recorded', async () => {
    const v1 = await projectWithRelease('web');
    const run = await deploy('web');
    expect(run.exitCode, run.stdout).toBe(0);
    const id = run.outputs['deployment-id'];
    expect(id).not.toBe(v1.id);
    expect(run.outputs['previous-deployment-id']).toBe(v1.id);
    expect(vercel.productionDeploymentId('web')).toBe(id);
    expect(run.outputs['production-url']).toBe(vercel.productionUrl('web'));
    expect((await vercel.fetchSite(vercel.productionUrl('web'))).body).toContain('release 2');
    const sri = JSON.parse(readFileSync(run.outputs['sri-manifest'] ?? '', 'utf8'));
    expect(sri['app.js']).toBe(`sha384-${createHash('sha384').update(APP['app.js']).digest('base64')}`);
    expect(Object.keys(sri).sort()).toEqual(['app.js', 'style.css']);
    expect(run.summary).toContain('live in production');
    expect(leakedSecrets(run, [vercel.token])).toEqual([]);
  });

  it('an unchanged build uploads nothing the second time; a re-run of the same run reuses its deployment', async () => {
    await projectWithRelease('same');
    const first = await deploy('same');
    expect(first.exitCode, first.stdout).toBe(0);
    vercel.resetUploadStats();
    const second = await deploy('same');
    expect(second.exitCode, second.stdout).toBe(0);
    expect(vercel.uploads.files).toBe(0);
    expect(second.summary).toContain('0 uploaded of 3');
    const before = deploymentsOf('same');
    const rerun = await deploy('same', {}, { runId: runNo });
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(rerun.outputs['deployment-id']).toBe(second.outputs['deployment-id']);
    expect(deploymentsOf('same')).toBe(before);
    expect(rerun.stdout).toContain('is production already: nothing to do');
    expect(rerun.outputs['previous-deployment-id']).toBe(first.outputs['deployment-id']);
  });

  it('a first deploy hashes in its own log group, uploads each file once (at most 16 at a time) and retries a 503 on an upload', async () => {
    await projectWithRelease('many');
    const files = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`assets/a${i}.${i % 2 ? 'js' : 'css'}`, `/* asset ${i} */`]),
    );
    vercel.resetUploadStats();
    vercel.delayNext(60, 40, { path: '/v2/files', method: 'POST' });
    vercel.failNext(1, { path: '/v2/files', method: 'POST', status: 503 });
    const run = await deploy('many', {}, { files });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(vercel.uploads.files).toBe(60);
    expect(vercel.uploads.maxInFlight).toBeGreaterThan(1);
    expect(vercel.uploads.maxInFlight).toBeLessThanOrEqual(16);
    expect(run.stdout).toMatch(/Vercel API \(upload assets\/a\d+\.\w+\): answered 503; retry 1\/4 in/);
    expect(run.summary).toContain('60 uploaded of 60');
    const hashing = run.groups.find((g) => g.name === 'Hash files');
    expect(hashing?.lines).toContainEqual(expect.stringMatching(/^Hashed 60 files/));
    const deploying = run.groups.find((g) => g.name === 'Deploy');
    expect(deploying?.lines).toContainEqual('60 of them to upload');
    expect(deploying?.lines).toContainEqual(expect.stringMatching(/^Uploaded 60 files/));
    const sri = JSON.parse(readFileSync(run.outputs['sri-manifest'] ?? '', 'utf8'));
    expect(Object.keys(sri)).toHaveLength(60);
    expect(sri['assets/a7.js']).toBe(
      `sha384-${createHash('sha384').update('/* asset 7 */').digest('base64')}`,
    );
  });

  it('a preview leaves production alone', async () => {
    const v1 = await projectWithRelease('preview');
    const run = await deploy('preview', { target: 'preview' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(vercel.productionDeploymentId('preview')).toBe(v1.id);
    expect((await vercel.fetchSite(run.outputs['deployment-url'] ?? '')).body).toContain('release 2');
  });

  it("a build ERROR fails with Vercel's message and production keeps serving the old release", async () => {
    const v1 = await projectWithRelease('broken');
    vercel.failNextBuild('Command "npm run build" exited with 1');
    const run = await deploy('broken');
    expect(run.exitCode).toBe(1);
    expect(errors(run).at(-1)?.message).toMatch(
      /Vercel reported an error \(BUILD_FAILED\): Command "npm run build" exited with 1/,
    );
    expect(vercel.productionDeploymentId('broken')).toBe(v1.id);
  });

  it('a promote whose alias does not move fails the step', async () => {
    const v1 = await projectWithRelease('stuck');
    vercel.failNextAliasMove('alias-not-moved');
    const run = await deploy('stuck');
    expect(run.exitCode).toBe(1);
    expect(errors(run).at(-1)?.message).toMatch(/^alias check failed: the production domain serves .*, not /);
    expect(vercel.productionDeploymentId('stuck')).toBe(v1.id);
    expect(run.outputs['previous-deployment-id']).toBe(v1.id);
  });

  it('rides out a 429 storm and 500s on the API with backoff', async () => {
    await projectWithRelease('storm');
    vercel.rateLimitNext(3, { path: '/v9/projects', retryAfterSec: 0 });
    vercel.failNext(2, { path: '/v6/deployments', status: 502 });
    const run = await deploy('storm');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(vercel.productionDeploymentId('storm')).toBe(run.outputs['deployment-id']);
  });
});

describe('vercel-deploy: every Vercel call ends by the timeout, and a timeout reports the real state', () => {
  it('an API that answers 500 for ever: retries are logged and the step ends within its timeout', async () => {
    await projectWithRelease('down');
    vercel.failNext(10_000, { path: '/v9/projects' });
    const started = Date.now();
    const run = await deploy('down', { timeout: '4s' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/Vercel API \(read project\): answered 500; retry 1\/4 in/);
    expect(errors(run).map((e) => e.message)).toEqual([
      expect.stringMatching(/Vercel API \(read project\): answered 500 \(\d attempts? in \d+ s/),
    ]);
    expect(deploymentsOf('down')).toBe(1);
  });

  it('the create call is retried on 429 and 5xx (which @vercel/client gives up on), not on a 400', async () => {
    await projectWithRelease('create-storm');
    vercel.rateLimitNext(1, { path: '/v13/deployments', method: 'POST', retryAfterSec: 0 });
    vercel.failNext(2, { path: '/v13/deployments', method: 'POST', status: 503 });
    const run = await deploy('create-storm');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/Vercel API \(create deployment\): answered 429; retry 1\/4 in/);
    expect(run.stdout).toMatch(/Vercel API \(create deployment\): answered 503; retry 3\/4 in/);
    expect(vercel.productionDeploymentId('create-storm')).toBe(run.outputs['deployment-id']);

    await projectWithRelease('create-refused');
    vercel.failNext(1, { path: '/v13/deployments', method: 'POST', status: 400, code: 'bad_request' });
    const refused = await deploy('create-refused');
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).not.toMatch(/create deployment\): answered/);
    expect(errors(refused).map((e) => e.message)).toEqual([expect.stringContaining('(bad_request)')]);
    expect(deploymentsOf('create-refused')).toBe(1);
  });

  it('Retry-After is honoured: a 429 asking for 2 s is retried after 2 s, not at once', async () => {
    await projectWithRelease('patient');
    vercel.rateLimitNext(1, { path: '/v9/projects', retryAfterSec: 2 });
    const run = await deploy('patient');
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/Vercel API \(read project\): answered 429; retry 1\/4 in 2\.0 s/);
  });

  it('a promote held by the API: the step ends by its timeout, says so, and names what production serves', async () => {
    const v1 = await projectWithRelease('held');
    vercel.delayNext(5, 60_000, { path: '/promote', method: 'POST' });
    const run = await deploy('held', { timeout: '5s' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/Vercel API \(promote dpl_\w+\): still waiting for an answer|not answering/);
    expect(errors(run).map((e) => e.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^promoting dpl_\\w+ failed: Vercel API \\(promote dpl_\\w+\\): not answering .*out of time.*Production serves ${v1.id} now \\(read after the failure\\)`,
        ),
      ),
    ]);
  });
});

describe('vercel-deploy: GitHub deployments, prebuilt output, timeouts', () => {
  const REPO = 'neonpro/healthcare-platform';
  const states = (id: string | undefined) =>
    github
      .deployments(REPO)
      .find((d) => d.id === Number(id))
      ?.statuses.map((s) => s.state);

  it('records a GitHub deployment per run (in_progress, then success with the URL), retires the earlier one, and a re-run reuses it', async () => {
    await projectWithRelease('gh');
    const first = await deploy('gh', { 'github-environment': 'production' });
    expect(first.exitCode, first.stdout).toBe(0);
    const second = await deploy(
      'gh',
      { 'github-environment': 'production' },
      { files: { 'index.html': 'r3' } },
    );
    expect(second.exitCode, second.stdout).toBe(0);
    const id = second.outputs['github-deployment-id'];
    expect(states(id)).toEqual(['success', 'in_progress']);
    expect(states(first.outputs['github-deployment-id'])).toEqual(['inactive', 'success', 'in_progress']);
    const record = github.deployments(REPO).find((d) => d.id === Number(id));
    expect(record?.statuses[0]?.environment_url).toBe(vercel.productionUrl('gh'));
    expect(record?.statuses[0]?.log_url).toMatch(/\/actions\/runs\/\d+\/attempts\/1$/);
    expect(record?.production_environment).toBe(true);

    const count = github.deployments(REPO).length;
    const rerun = await deploy('gh', { 'github-environment': 'production' }, { runId: runNo });
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(rerun.outputs['github-deployment-id']).toBe(id);
    expect(github.deployments(REPO).length).toBe(count);
    expect(leakedSecrets(rerun, [vercel.token, github.token])).toEqual([]);
  });

  it('a failed build marks the GitHub deployment failed with the reason; a refused GitHub token deploys nothing', async () => {
    await projectWithRelease('gh-fail');
    vercel.failNextBuild('Type error in pages/index.tsx');
    const run = await deploy('gh-fail', { 'github-environment': 'production' });
    expect(run.exitCode).toBe(1);
    const record = github.deployments(REPO).find((d) => d.id === Number(run.outputs['github-deployment-id']));
    expect(record?.statuses[0]).toMatchObject({ state: 'failure' });
    expect(record?.statuses[0]?.description).toContain('Type error in pages/index.tsx');

    const before = deploymentsOf('gh-fail');
    const refused = await deploy('gh-fail', {
      'github-environment': 'production',
      'github-token': 'ghs_wrong',
    });
    expect(refused.exitCode).toBe(1);
    expect(errors(refused).map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^Input "github-token": was refused by GitHub \(401: Bad credentials.*Nothing was deployed/,
      ),
    ]);
    expect(deploymentsOf('gh-fail')).toBe(before);
  });

  it('prebuilt: deploys .vercel/output as built, and the domain serves its static files', async () => {
    await projectWithRelease('prebuilt');
    const run = await deploy(
      'prebuilt',
      { prebuilt: 'true' },
      {
        files: {
          '.vercel/output/config.json': { version: 3 },
          '.vercel/output/static/index.html': '<h1>prebuilt release</h1>',
          '.vercel/output/static/main.js': 'console.log(1)',
        },
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect((await vercel.fetchSite(vercel.productionUrl('prebuilt'))).body).toContain('prebuilt release');
    expect(Object.keys(JSON.parse(readFileSync(run.outputs['sri-manifest'] ?? '', 'utf8')))).toEqual([
      'main.js',
    ]);
  });

  it('a build that outlasts the timeout fails, is canceled so it can never go live, and production is unchanged', async () => {
    const v1 = await projectWithRelease('slow');
    const buildMs = vercel.build.buildMs;
    vercel.build.buildMs = 60_000;
    try {
      const run = await deploy('slow', { timeout: '2s' });
      expect(run.exitCode).toBe(1);
      expect(errors(run).map((e) => e.message)).toEqual([
        expect.stringMatching(
          /^the deployment was not READY within 2 s \(dpl_\w+ was canceled\); production was not changed/,
        ),
      ]);
      expect(vercel.productionDeploymentId('slow')).toBe(v1.id);
      const last = vercel
        .deployments()
        .filter((d) => d.projectId === vercel.project('slow')?.id)
        .at(-1);
      expect(last?.readyState).toBe('CANCELED');
    } finally {
      vercel.build.buildMs = buildMs;
    }
  });
});

describe('vercel-deploy bad input: one clear error, nothing deployed', () => {
  it.each([
    ['vercel-token', { 'vercel-token': '' }, /^Input "vercel-token": is required but empty/],
    [
      'vercel-token',
      { 'vercel-token': 'not-a-real-token' },
      /^Input "vercel-token": was refused by Vercel \(403/,
    ],
    [
      'vercel-project',
      { 'vercel-project': 'no-such-project' },
      /^Input "vercel-project": Vercel has no project "no-such-project"/,
    ],
    ['target', { target: 'staging' }, /^Input "target": /],
    [
      'working-directory',
      { 'working-directory': 'nope' },
      /^Input "working-directory": "nope" does not exist/,
    ],
    [
      'working-directory',
      { 'working-directory': 'index.html' },
      /^Input "working-directory": "index.html" is not a folder/,
    ],
    [
      'timeout',
      { timeout: '0s' },
      /^Input "timeout": "0s" is out of range\. Set timeout to a duration from 1s to 6h/,
    ],
    ['timeout', { timeout: '99999999999h' }, /^Input "timeout": "99999999999h" is out of range/],
    ['api-url', { 'api-url': 'file:///etc/passwd' }, /^Input "api-url": has the scheme "file:"/],
    ['vercel-token', { 'vercel-token': 'abc\r\nX-Evil: 1' }, /^Input "vercel-token": contains a line break/],
    [
      'deployment-id',
      { 'deployment-id': 'dpl_1\n::warning::injected' },
      /^Input "deployment-id": .* contains a line break/,
    ],
    ['sri-manifest', { 'sri-manifest': '.' }, /^Input "sri-manifest": "\." is a folder, not a file/],
    [
      'sri-manifest',
      { 'sri-manifest': '../../outside.json' },
      /^Input "sri-manifest": .* is outside the workspace/,
    ],
    ['prebuilt', { prebuilt: 'true' }, /^Input "prebuilt": is true but .*\.vercel\/output does not exist/],
    // Checked with the inputs, so no GitHub deployment is created either (see the GitHub case above).
    [
      'sri-globs',
      { 'sri-globs': '**/*.js\nassets/*.mjs', 'github-environment': 'production' },
      /^Input "sri-globs": "assets\/\*\.mjs" matches no file in /,
    ],
    ['api-url', { 'api-url': 'ftp://x' }, /^Input "api-url": has the scheme "ftp:", not http: or https:/],
    [
      'github-token',
      { 'github-environment': 'production', 'github-token': '' },
      /^Input "github-token": is empty but github-environment is "production"/,
    ],
  ])('%s %j', async (_input, values, message) => {
    await projectWithRelease(`bad-${runNo}`);
    const project = `bad-${runNo}`;
    const before = vercel.deployments().length;
    const run = await deploy(project, values);
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
    expect(vercel.deployments().length).toBe(before);
    expect(run.stdout).not.toMatch(/ at .+\.js:\d+/);
  });
});
