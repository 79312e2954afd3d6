// Contract tests: the real @vercel/client and @vercel/sdk, over HTTP, against the emulator. The SDK validates
// every answer with its zod schemas and throws ResponseValidationError on a mismatch, so a call that returns
// is a call whose answer passed; assertions on fields guard against the schemas' lenient fallbacks.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createDeployment } from '@vercel/client';
import { Vercel } from '@vercel/sdk';
import { CancelDeploymentResponseBody$inboundSchema } from '@vercel/sdk/models/canceldeploymentresponsebody.js';
import { CreateDeploymentResponseBody2$inboundSchema } from '@vercel/sdk/models/createdeploymentresponsebody.js';
import { CreateProjectEnvResponseBody$inboundSchema } from '@vercel/sdk/models/createprojectenvop.js';
import { FilterProjectEnvsResponseBody$inboundSchema } from '@vercel/sdk/models/filterprojectenvsop.js';
import { GetAliasResponseBody$inboundSchema } from '@vercel/sdk/models/getaliasop.js';
import { GetDeploymentEventsResponse$inboundSchema } from '@vercel/sdk/models/getdeploymenteventsop.js';
import { GetDeploymentResponseBody2$inboundSchema } from '@vercel/sdk/models/getdeploymentresponsebody1.js';
import { GetDeploymentsResponseBody$inboundSchema } from '@vercel/sdk/models/getdeploymentsop.js';
import { GetProjectEnvResponseBody$inboundSchema } from '@vercel/sdk/models/getprojectenvop.js';
import { GetProjectResponseBody$inboundSchema } from '@vercel/sdk/models/getprojectresponsebody.js';
import { ListDeploymentAliasesResponseBody$inboundSchema } from '@vercel/sdk/models/listdeploymentaliasesop.js';
import { ListPromoteAliasesResponseBody2$inboundSchema } from '@vercel/sdk/models/listpromotealiasesop.js';
import { SDKError } from '@vercel/sdk/models/sdkerror.js';
import { startCountingUnrecognized } from '@vercel/sdk/types/unrecognized.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ZodTypeAny } from 'zod/v3';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';

const execFileAsync = promisify(execFile);
const dirs: string[] = [];

function siteDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vercel-site-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

interface DeployEvent {
  type: string;
  payload: Record<string, unknown>;
}

/** Runs @vercel/client's createDeployment to its end (or to `canceled`, where it would poll for ever). */
async function deploy(
  vercel: VercelEmulator,
  path: string,
  body: Record<string, unknown>,
  client: Record<string, unknown> = {},
): Promise<{ types: string[]; events: DeployEvent[]; id: string | undefined }> {
  const events: DeployEvent[] = [];
  const options = { token: vercel.token, teamId: vercel.teamId, apiUrl: vercel.apiUrl, path, ...client };
  for await (const event of createDeployment(options as Parameters<typeof createDeployment>[0], body)) {
    events.push(event as DeployEvent);
    if (event.type === 'canceled') break;
  }
  const created = events.find((e) => e.type === 'created');
  return { types: events.map((e) => e.type), events, id: created?.payload.id as string | undefined };
}

async function sdkFailure(call: Promise<unknown>): Promise<SDKError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SDKError)) throw new Error(`expected an SDKError, got ${String(err)}`);
  return err;
}

let vercel: VercelEmulator;
let sdk: Vercel;
let team: { teamId: string };

beforeAll(async () => {
  delete process.env.VERCEL_TEAM_ID;
  vercel = await startVercelEmulator();
  sdk = new Vercel({ bearerToken: vercel.token, serverURL: vercel.apiUrl });
  team = { teamId: vercel.teamId };
});
afterAll(async () => {
  await vercel?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  vercel.build.queuedMs = 10;
  vercel.build.buildMs = 50;
  vercel.clearFaults();
});

describe('@vercel/client createDeployment', () => {
  const files = {
    'index.html': '<h1>app</h1>',
    'app.js': 'console.log(1)',
    'style.css': 'body{}',
    'copy.css': 'body{}',
  };

  it('uploads missing files, polls to READY, and an identical redeploy uploads nothing', async () => {
    const dir = siteDir(files);
    vercel.resetUploadStats();
    const first = await deploy(vercel, dir, {
      name: 'client-app',
      meta: { githubCommitSha: 'a'.repeat(40) },
    });
    expect(first.types[0]).toBe('hashes-calculated');
    expect(first.types.filter((t) => t === 'file-uploaded')).toHaveLength(3); // two identical css files share a sha
    expect(first.types.slice(-2)).toEqual(['ready', 'alias-assigned']);
    expect(vercel.uploads).toMatchObject({ files: 3, bytes: '<h1>app</h1>console.log(1)body{}'.length });
    expect(vercel.uploads.inFlight).toBe(0);
    expect(vercel.uploads.maxInFlight).toBeGreaterThanOrEqual(1);
    const uploads = vercel.requests.filter((r) => r.path === '/v2/files');
    expect(uploads.map((r) => r.status)).toEqual([200, 200, 200]);
    const posts = vercel.requests.filter((r) => r.method === 'POST' && r.path === '/v13/deployments');
    expect(posts.map((r) => r.status)).toEqual([400, 200]);

    vercel.resetUploadStats();
    const second = await deploy(vercel, dir, { name: 'client-app' });
    expect(vercel.uploads).toEqual({ files: 0, bytes: 0, inFlight: 0, maxInFlight: 0 });
    expect(second.types).not.toContain('file-uploaded');
    expect(second.types.at(-1)).toBe('alias-assigned');
    expect(second.id).not.toBe(first.id);

    const d = vercel.deployment(first.id ?? '');
    expect(d?.readyState).toBe('READY');
    expect(d?.meta.githubCommitSha).toBe('a'.repeat(40));
    const site = await vercel.fetchSite(`https://${d?.url}/app.js`);
    expect(site).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(site.headers['x-deployment-id']).toBe(first.id);
    expect((await vercel.fetchSite(`https://${d?.url}/missing`)).status).toBe(404);
  });

  it('surfaces a failed build as an error event, with its log in the events API', async () => {
    vercel.build.buildMs = 1200; // long enough for one poll to see BUILDING
    vercel.failNextBuild('Command "npm run build" exited with 1', { log: ['src/app.ts:3 Type error'] });
    const run = await deploy(vercel, siteDir(files), { name: 'client-app' });
    expect(run.types.slice(-2)).toEqual(['building', 'error']);
    expect(run.events.at(-1)?.payload).toMatchObject({
      readyState: 'ERROR',
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
    });
    const log = await sdk.deployments.getDeploymentEvents({ idOrUrl: run.id ?? '', ...team });
    expect(JSON.stringify(log)).toContain('src/app.ts:3 Type error');
    const site = await vercel.fetchSite(`https://${vercel.deployment(run.id ?? '')?.url}/`);
    expect(site.status).toBe(404);
  });

  it('emits canceled when the build is canceled through the SDK', async () => {
    vercel.build.buildMs = 30_000;
    const cancel = new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const d = vercel.deployments().find((x) => x.name === 'cancel-me' && x.readyState === 'BUILDING');
        if (!d) return;
        clearInterval(timer);
        sdk.deployments.cancelDeployment({ id: d.id, ...team }).then((r) => {
          expect(r.readyState).toBe('CANCELED');
          resolve();
        }, reject);
      }, 20);
    });
    const run = await deploy(vercel, siteDir(files), { name: 'cancel-me' });
    await cancel;
    expect(run.types.at(-1)).toBe('canceled');
  });

  it('deploys inline files without uploads, and prebuilt output from .vercel/output/static', async () => {
    vercel.resetUploadStats();
    const inline = await deploy(vercel, siteDir({ 'index.html': '<p>inline</p>' }), { name: 'inline' });
    expect(vercel.uploads.files).toBe(0);
    const url = vercel.deployment(inline.id ?? '')?.url;
    expect((await vercel.fetchSite(`https://${url}/`)).body).toBe('<p>inline</p>');

    const dir = siteDir({
      '.vercel/output/config.json': '{"version":3}',
      '.vercel/output/static/index.html': '<p>prebuilt</p>',
      '.vercel/output/static/docs/index.html': '<p>docs</p>',
      'src/ignored.ts': 'export {}',
    });
    const prebuilt = await deploy(
      vercel,
      dir,
      { name: 'prebuilt' },
      { prebuilt: true, vercelOutputDir: join(dir, '.vercel/output') },
    );
    expect(prebuilt.types.at(-1)).toBe('alias-assigned');
    const prebuiltUrl = `https://${vercel.deployment(prebuilt.id ?? '')?.url}`;
    expect((await vercel.fetchSite(`${prebuiltUrl}/`)).body).toBe('<p>prebuilt</p>');
    expect((await vercel.fetchSite(`${prebuiltUrl}/docs`)).body).toBe('<p>docs</p>');
  });

  it('fails the deploy on a 429 from /v2/files (the client does not retry HTTP errors there)', async () => {
    vercel.rateLimitNext(1, { path: '/v2/files' });
    const run = await deploy(vercel, siteDir({ 'a.js': `// ${Date.now()}` }), { name: 'limited' });
    expect(run.types.at(-1)).toBe('error');
    expect(run.events.at(-1)?.payload).toMatchObject({ code: 'rate_limited' });
  });
});

describe('@vercel/sdk against the emulator', () => {
  it('gets and lists deployments with filters, and reads the project', async () => {
    vercel.build.queuedMs = 0;
    vercel.build.buildMs = 0;
    const dir = siteDir({ 'index.html': '<p>list</p>' });
    const prod = await deploy(vercel, dir, {
      name: 'lister',
      target: 'production',
      meta: { githubCommitSha: 'c1' },
    });
    const preview = await deploy(vercel, dir, { name: 'lister', meta: { githubCommitSha: 'c2' } });
    expect(prod.types).toEqual(['hashes-calculated', 'created', 'ready', 'alias-assigned']);

    const got = await sdk.deployments.getDeployment({ idOrUrl: prod.id ?? '', ...team });
    expect(got).toMatchObject({
      id: prod.id,
      readyState: 'READY',
      target: 'production',
      aliasAssigned: true,
    });
    const byUrl = await sdk.deployments.getDeployment({
      idOrUrl: vercel.deployment(preview.id ?? '')?.url ?? '',
      ...team,
    });
    expect(byUrl.id).toBe(preview.id);

    const project = vercel.project('lister');
    const all = await sdk.deployments.getDeployments({ projectId: project?.id, ...team });
    expect(all.deployments.map((d) => d.uid)).toEqual([preview.id, prod.id]);
    const prodOnly = await sdk.deployments.getDeployments({
      projectId: project?.id,
      target: 'production',
      ...team,
    });
    expect(prodOnly.deployments.map((d) => d.uid)).toEqual([prod.id]);
    const bySha = await sdk.deployments.getDeployments({
      projectId: project?.id,
      sha: 'c2',
      state: 'READY',
      ...team,
    });
    expect(bySha.deployments.map((d) => d.uid)).toEqual([preview.id]);
    const limited = await sdk.deployments.getDeployments({ projectId: project?.id, limit: 1, ...team });
    expect(limited.deployments).toHaveLength(1);
    expect(limited.pagination.next).toEqual(expect.any(Number));
    const building = await sdk.deployments.getDeployments({
      projectId: project?.id,
      state: 'BUILDING,ERROR',
      ...team,
    });
    expect(building.deployments).toEqual([]);

    const res = await fetch(
      `${vercel.apiUrl}/v6/deployments?teamId=${vercel.teamId}&meta-githubCommitSha=c1`,
      {
        headers: { authorization: `Bearer ${vercel.token}` },
      },
    );
    const listed = (await res.json()) as { deployments: Array<{ uid: string }> };
    expect(listed.deployments.map((d) => d.uid)).toEqual([prod.id]);

    const p = await sdk.projects.getProject({ idOrName: 'lister', ...team });
    expect(p.id).toBe(project?.id);
    expect(p.targets?.production?.id).toBe(prod.id);
    expect(p.latestDeployments?.map((d) => d.id)).toEqual([preview.id, prod.id]);
  });

  it('uploads files (checking the digest) and creates a deployment through the SDK', async () => {
    const data = new TextEncoder().encode('<p>sdk</p>');
    const sha = createHash('sha1').update(data).digest('hex');
    const missing = await sdkFailure(
      sdk.deployments.createDeployment({
        ...team,
        requestBody: {
          name: 'sdk-app',
          target: 'production',
          files: [{ file: 'index.html', sha, size: data.length }],
        },
      }),
    );
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).error).toEqual({
      code: 'missing_files',
      message: 'Missing files',
      missing: [sha],
    });

    vercel.resetUploadStats();
    const wrongDigest = await sdkFailure(
      sdk.deployments.uploadFile({
        contentLength: data.length,
        xVercelDigest: 'f'.repeat(40),
        ...team,
        requestBody: data,
      }),
    );
    expect(wrongDigest.statusCode).toBe(400);
    expect(JSON.parse(wrongDigest.body).error.code).toBe('incorrect_file_digest');
    expect(vercel.uploads.files).toBe(0);
    await sdk.deployments.uploadFile({
      contentLength: data.length,
      xVercelDigest: sha,
      ...team,
      requestBody: data,
    });
    expect(vercel.uploads).toEqual({ files: 1, bytes: data.length, inFlight: 0, maxInFlight: 1 });

    // The concurrency count: three held uploads at once are three in flight; one after another, one.
    const upload = (body: string) => {
      const bytes = new TextEncoder().encode(body);
      const digest = createHash('sha1').update(bytes).digest('hex');
      return sdk.deployments.uploadFile({
        contentLength: bytes.length,
        xVercelDigest: digest,
        ...team,
        requestBody: bytes,
      });
    };
    vercel.resetUploadStats();
    vercel.delayNext(3, 150, { path: '/v2/files', method: 'POST' });
    await Promise.all(['a', 'b', 'c'].map(upload));
    expect(vercel.uploads).toMatchObject({ files: 3, inFlight: 0, maxInFlight: 3 });
    vercel.resetUploadStats();
    for (const body of ['d', 'e']) await upload(body);
    expect(vercel.uploads).toMatchObject({ files: 2, inFlight: 0, maxInFlight: 1 });

    const created = await sdk.deployments.createDeployment({
      ...team,
      requestBody: {
        name: 'sdk-app',
        target: 'production',
        files: [{ file: 'index.html', sha, size: data.length }],
        meta: { githubCommitSha: 'd'.repeat(40) },
      },
    });
    expect(created).toMatchObject({ readyState: 'QUEUED', target: 'production' });
    if (!('url' in created)) throw new Error('the SDK chose its short deployment shape: fields were missing');
    await vercel.waitForState(created.id);
    const ready = await sdk.deployments.getDeployment({ idOrUrl: created.id, ...team });
    expect(ready).toMatchObject({ readyState: 'READY', alias: [vercel.productionUrl('sdk-app').slice(8)] });
    expect((await vercel.fetchSite(`https://${created.url}/`)).body).toBe('<p>sdk</p>');
  });

  it('creates and lists env vars, encrypted unless decrypted', async () => {
    const project = await vercel.createProject({
      name: 'env-app',
      env: [{ key: 'SEEDED', value: 'seed-value', type: 'plain', target: ['preview'] }],
    });
    const created = await sdk.projects.createProjectEnv({
      idOrName: project.id,
      ...team,
      requestBody: {
        key: 'DATABASE_URL',
        value: 'postgres://secret',
        type: 'encrypted',
        target: ['production'],
      },
    });
    expect(created.failed).toEqual([]);
    expect(created.created).toMatchObject({ key: 'DATABASE_URL', target: ['production'] });

    const listed = await sdk.projects.filterProjectEnvs({ idOrName: 'env-app', ...team });
    if (!('envs' in listed)) throw new Error('expected the envs list shape');
    const byKey = new Map(listed.envs.map((e) => [e.key, e]));
    expect(byKey.get('SEEDED')).toMatchObject({ value: 'seed-value', type: 'plain', target: ['preview'] });
    expect(byKey.get('DATABASE_URL')?.value).not.toBe('postgres://secret');
    const decrypted = await sdk.projects.filterProjectEnvs({ idOrName: 'env-app', decrypt: 'true', ...team });
    if (!('envs' in decrypted)) throw new Error('expected the envs list shape');
    expect(decrypted.envs.find((e) => e.key === 'DATABASE_URL')?.value).toBe('postgres://secret');

    const clash = await sdkFailure(
      sdk.projects.createProjectEnv({
        idOrName: project.id,
        ...team,
        requestBody: { key: 'DATABASE_URL', value: 'x', type: 'encrypted', target: ['production'] },
      }),
    );
    expect(clash.statusCode).toBe(400);
    expect(JSON.parse(clash.body).error.code).toBe('ENV_ALREADY_EXISTS');
  });

  it('answers 403 for a missing or wrong token and another team, 404 for unknown things', async () => {
    const wrong = new Vercel({ bearerToken: 'not-the-token', serverURL: vercel.apiUrl });
    const denied = await sdkFailure(wrong.projects.getProject({ idOrName: 'env-app', ...team }));
    expect(denied.statusCode).toBe(403);
    expect(JSON.parse(denied.body)).toEqual({
      error: { code: 'forbidden', message: 'Not authorized', invalidToken: true },
    });
    const anonymous = await fetch(`${vercel.apiUrl}/v9/projects/env-app?teamId=${vercel.teamId}`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'forbidden', missingToken: true } });
    const otherTeam = await sdkFailure(
      sdk.projects.getProject({ idOrName: 'env-app', teamId: 'team_other' }),
    );
    expect(otherTeam.statusCode).toBe(403);

    const noProject = await sdkFailure(sdk.projects.getProject({ idOrName: 'nope', ...team }));
    expect(noProject.statusCode).toBe(404);
    expect(JSON.parse(noProject.body).error.code).toBe('not_found');
    // Without teamId the personal scope is addressed, where the team's project does not exist.
    expect((await sdkFailure(sdk.projects.getProject({ idOrName: 'env-app' }))).statusCode).toBe(404);
    const noDeployment = await sdkFailure(sdk.deployments.getDeployment({ idOrUrl: 'dpl_missing', ...team }));
    expect(noDeployment.statusCode).toBe(404);
  });

  it('rate-limits with 429 and x-ratelimit headers, then succeeds on the SDK retry', async () => {
    vercel.rateLimitNext(1, { path: '/v9/projects/env-app', retryAfterSec: 1 });
    const limited = await sdkFailure(sdk.projects.getProject({ idOrName: 'env-app', ...team }));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.parse(limited.body).error.code).toBe('rate_limited');

    const retrying = new Vercel({
      bearerToken: vercel.token,
      serverURL: vercel.apiUrl,
      retryConfig: {
        strategy: 'backoff',
        backoff: { initialInterval: 20, maxInterval: 200, exponent: 1.5, maxElapsedTime: 10_000 },
        retryConnectionErrors: false,
      },
    });
    vercel.rateLimitNext(1, { path: '/v9/projects/env-app', retryAfterSec: 1 });
    vercel.failNext(1, { path: '/v9/projects/env-app', status: 503 });
    const before = vercel.requests.length;
    const p = await retrying.projects.getProject({ idOrName: 'env-app', ...team });
    expect(p.name).toBe('env-app');
    expect(vercel.requests.slice(before).map((r) => r.status)).toEqual([429, 503, 200]);
    expect(vercel.pendingFaults()).toBe(0);
  });

  it('delays answers on demand: a delayed request finishes after a later one', async () => {
    vercel.delayNext(1, 300, { path: '/v9/projects/env-app' });
    const order: string[] = [];
    const slow = sdk.projects.getProject({ idOrName: 'env-app', ...team }).then(() => order.push('delayed'));
    await new Promise((r) => setTimeout(r, 20));
    await sdk.deployments.getDeployments({ ...team }).then(() => order.push('later'));
    await slow;
    expect(order).toEqual(['later', 'delayed']);
  });
});

describe('promote, rollback and the production domain over HTTPS', () => {
  it('switches what the production domain serves and reports it through the SDK', async () => {
    vercel.build.queuedMs = 0;
    vercel.build.buildMs = 0;
    const project = await vercel.createProject({ name: 'web' });
    const prodUrl = vercel.productionUrl('web');
    expect((await vercel.fetchSite(prodUrl)).headers['x-vercel-error']).toBe('DEPLOYMENT_NOT_FOUND');
    const stop = vercel.handle('/health', (req) => ({ json: { ok: true, deployment: req.deployment.id } }), {
      project: 'web',
    });

    const v1 = await deploy(vercel, siteDir({ 'index.html': 'v1' }), { name: 'web', target: 'production' });
    const served = await vercel.fetchSite(prodUrl);
    expect(served).toMatchObject({ status: 200, body: 'v1' });
    expect(served.headers['x-deployment-id']).toBe(v1.id);
    expect(JSON.parse((await vercel.fetchSite(`${prodUrl}/health`)).body)).toEqual({
      ok: true,
      deployment: v1.id,
    });

    // Build once without taking the domain, then promote that same deployment.
    const v2 = await deploy(vercel, siteDir({ 'index.html': 'v2' }), {
      name: 'web',
      target: 'production',
      autoAssignCustomDomains: false,
    });
    expect(vercel.deployment(v2.id ?? '')?.readySubstate).toBe('STAGED');
    expect((await vercel.fetchSite(prodUrl)).body).toBe('v1');
    await sdk.projects.requestPromote({ projectId: project.id, deploymentId: v2.id ?? '', ...team });
    expect((await vercel.fetchSite(prodUrl)).body).toBe('v2');
    const alias = await sdk.aliases.getAlias({ idOrAlias: prodUrl.slice('https://'.length), ...team });
    expect(alias.deploymentId).toBe(v2.id);
    const afterPromote = await sdk.projects.getProject({ idOrName: 'web', ...team });
    expect(afterPromote.targets?.production?.id).toBe(v2.id);
    expect(afterPromote.lastAliasRequest).toMatchObject({
      type: 'promote',
      jobStatus: 'succeeded',
      toDeploymentId: v2.id,
    });
    const v2Aliases = await sdk.aliases.listDeploymentAliases({ id: v2.id ?? '', ...team });
    expect(v2Aliases.aliases.map((a) => a.alias)).toEqual([prodUrl.slice('https://'.length)]);
    expect((await sdk.aliases.listDeploymentAliases({ id: v1.id ?? '', ...team })).aliases).toEqual([]);
    const statuses = await sdk.projects.listPromoteAliases({ projectId: project.id, ...team });
    expect(statuses).toMatchObject({ aliases: [{ status: 'completed' }] });

    await sdk.projects.requestRollback({ projectId: project.id, deploymentId: v1.id ?? '', ...team });
    expect((await vercel.fetchSite(prodUrl)).body).toBe('v1');
    expect(JSON.parse((await vercel.fetchSite(`${prodUrl}/health`)).body).deployment).toBe(v1.id);
    const afterRollback = await sdk.projects.getProject({ idOrName: 'web', ...team });
    expect(afterRollback.lastAliasRequest).toMatchObject({ type: 'rollback', jobStatus: 'succeeded' });

    // After a rollback Vercel stops assigning the domain to new production deploys until a promote.
    const v3 = await deploy(vercel, siteDir({ 'index.html': 'v3' }), { name: 'web', target: 'production' });
    expect((await vercel.fetchSite(prodUrl)).body).toBe('v1');
    await sdk.projects.requestPromote({ projectId: project.id, deploymentId: v3.id ?? '', ...team });
    expect((await vercel.fetchSite(prodUrl)).body).toBe('v3');
    stop();
    expect((await vercel.fetchSite(`${prodUrl}/health`)).status).toBe(404);
  });

  it('can report a promote as succeeded while the domain stays, and refuses previews', async () => {
    vercel.build.queuedMs = 0;
    vercel.build.buildMs = 0;
    const project = await vercel.createProject({ name: 'stuck' });
    const dir = siteDir({ 'index.html': 'one' });
    const one = await deploy(vercel, dir, { name: 'stuck', target: 'production' });
    const two = await deploy(vercel, siteDir({ 'index.html': 'two' }), {
      name: 'stuck',
      target: 'production',
      autoAssignCustomDomains: false,
    });
    vercel.failNextAliasMove('alias-not-moved');
    await sdk.projects.requestPromote({ projectId: project.id, deploymentId: two.id ?? '', ...team });
    const p = await sdk.projects.getProject({ idOrName: 'stuck', ...team });
    expect(p.lastAliasRequest?.jobStatus).toBe('succeeded');
    const alias = await sdk.aliases.getAlias({ idOrAlias: vercel.productionUrl('stuck').slice(8), ...team });
    expect(alias.deploymentId).toBe(one.id);
    expect((await vercel.fetchSite(vercel.productionUrl('stuck'))).body).toBe('one');

    const preview = await deploy(vercel, dir, { name: 'stuck' });
    const refused = await sdkFailure(
      sdk.projects.requestPromote({ projectId: project.id, deploymentId: preview.id ?? '', ...team }),
    );
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).error.code).toBe('not_production_deployment');
  });

  it('serves scripted latency and errors from dynamic handlers', async () => {
    const d = await vercel.seedDeployment({ project: 'handlers', files: { 'index.html': 'seeded' } });
    expect(d.readyState).toBe('READY');
    expect((await vercel.fetchSite(`https://${d.url}/`)).body).toBe('seeded');
    let calls = 0;
    vercel.handle(
      '/api/status',
      () => (++calls === 1 ? { status: 503, json: { error: 'warming up' } } : undefined),
      {
        deploymentId: d.id,
      },
    );
    vercel.handle(/^\/api\//, () => ({ json: { ok: true }, delayMs: 200 }), { deploymentId: d.id });
    expect((await vercel.fetchSite(`https://${d.url}/api/status`)).status).toBe(503);
    const order: string[] = [];
    const slow = vercel.fetchSite(`https://${d.url}/api/status`).then((r) => {
      order.push('api');
      return r;
    });
    await vercel.fetchSite(`https://${d.url}/`).then(() => order.push('static'));
    expect(await slow).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect((await slow).headers['content-type']).toMatch(/^application\/json/);
    expect(order).toEqual(['static', 'api']);
  });

  it('is trusted by a child Node process through NODE_EXTRA_CA_CERTS, and only then', async () => {
    const script = 'fetch(process.argv[1]).then(r => r.text()).then(t => process.stdout.write(t))';
    const url = vercel.productionUrl('web');
    const trusted = await execFileAsync(process.execPath, ['-e', script, url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: vercel.caFile },
    });
    expect(trusted.stdout).toBe('v3');
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    await expect(execFileAsync(process.execPath, ['-e', script, url], { env })).rejects.toThrow(
      /fetch failed/,
    );
  });
});

describe('answers match the SDK schemas exactly', () => {
  /**
   * Parses `body` with an SDK inbound schema and returns what was not exact: fields the SDK had to default
   * (its lenient mode turns a missing required string into '') and unknown enum values, which it counts.
   */
  function inexact(schema: ZodTypeAny, body: unknown): string[] {
    const counter = startCountingUnrecognized();
    const result = schema.safeParse(body);
    const count = counter.end();
    if (!result.success) return [`invalid: ${JSON.stringify(result.error.issues).slice(0, 500)}`];
    const defaulted: string[] = [];
    const walk = (out: unknown, input: unknown, path: string): void => {
      if (typeof out !== 'object' || out === null || out instanceof Date) return;
      for (const [key, value] of Object.entries(out)) {
        const given =
          typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
        if (given === undefined && value !== undefined) defaulted.push(`${path}${key}`);
        else walk(value, given, `${path}${key}.`);
      }
    };
    walk(result.data, body, '');
    return count === 0 && defaulted.length === 0 ? [] : [`${count} inexact`, ...defaulted];
  }

  async function api(path: string, init: RequestInit = {}): Promise<unknown> {
    const sep = path.includes('?') ? '&' : '?';
    const res = await fetch(`${vercel.apiUrl}${path}${sep}teamId=${vercel.teamId}`, {
      ...init,
      headers: { authorization: `Bearer ${vercel.token}`, ...init.headers },
    });
    return res.json();
  }

  it('for deployments, projects, env vars, aliases and events', async () => {
    vercel.build.queuedMs = 0;
    vercel.build.buildMs = 0;
    const project = await vercel.createProject({ name: 'exact', env: [{ key: 'K', value: 'v' }] });
    const body = (target: string, text: string) =>
      JSON.stringify({
        name: 'exact',
        target,
        files: [{ file: 'index.html', data: text }],
        meta: { a: 'b' },
      });
    const created = (await api('/v13/deployments', { method: 'POST', body: body('production', 'one') })) as {
      id: string;
    };
    const two = (await api('/v13/deployments', { method: 'POST', body: body('production', 'two') })) as {
      id: string;
    };
    vercel.build.buildMs = 60_000;
    const building = (await api('/v13/deployments', { method: 'POST', body: body('preview', 'three') })) as {
      id: string;
    };
    await vercel.waitForState(building.id, ['BUILDING']);
    await sdk.projects.requestRollback({ projectId: project.id, deploymentId: created.id, ...team });
    const envId = project.envs[0]?.id ?? '';
    const domain = vercel.productionUrl('exact').slice(8);

    const checks: Array<[string, ZodTypeAny, unknown]> = [
      ['create (full variant)', CreateDeploymentResponseBody2$inboundSchema, created],
      [
        'get READY (full variant)',
        GetDeploymentResponseBody2$inboundSchema,
        await api(`/v13/deployments/${two.id}`),
      ],
      [
        'get BUILDING (full variant)',
        GetDeploymentResponseBody2$inboundSchema,
        await api(`/v13/deployments/${building.id}`),
      ],
      ['list', GetDeploymentsResponseBody$inboundSchema, await api('/v6/deployments?projectId=exact')],
      ['project', GetProjectResponseBody$inboundSchema, await api('/v9/projects/exact')],
      ['envs', FilterProjectEnvsResponseBody$inboundSchema, await api('/v10/projects/exact/env')],
      ['env', GetProjectEnvResponseBody$inboundSchema, await api(`/v1/projects/exact/env/${envId}`)],
      [
        'create env',
        CreateProjectEnvResponseBody$inboundSchema,
        await api('/v10/projects/exact/env', {
          method: 'POST',
          body: JSON.stringify({ key: 'N', value: 'n', type: 'plain', target: ['preview'] }),
        }),
      ],
      ['alias', GetAliasResponseBody$inboundSchema, await api(`/v4/aliases/${encodeURIComponent(domain)}`)],
      [
        'deployment aliases',
        ListDeploymentAliasesResponseBody$inboundSchema,
        await api(`/v2/deployments/${created.id}/aliases`),
      ],
      ['events', GetDeploymentEventsResponse$inboundSchema, await api(`/v3/deployments/${two.id}/events`)],
      [
        'promote aliases',
        ListPromoteAliasesResponseBody2$inboundSchema,
        await api(`/v1/projects/${project.id}/promote/aliases`),
      ],
      [
        'cancel',
        CancelDeploymentResponseBody$inboundSchema,
        await api(`/v12/deployments/${building.id}/cancel`, { method: 'PATCH' }),
      ],
    ];
    const problems = checks.map(([name, schema, answer]) => [name, inexact(schema, answer)] as const);
    expect(problems.filter(([, p]) => p.length > 0)).toEqual([]);
  });
});
