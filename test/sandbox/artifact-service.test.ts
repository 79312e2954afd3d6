/**
 * The real @actions/artifact client against the emulated results service, in this process. The
 * library reads ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL at each call, so a test plays a job by
 * setting them around the call; GITHUB_API_URL is read once at import, so the library is imported
 * after the service has its port.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ArtifactService, startArtifactService } from '../../sandbox/artifact/service.js';

type ArtifactLib = typeof import('@actions/artifact');
type Env = Record<string, string>;

let service: ArtifactService;
let lib: ArtifactLib;
let work: string;
const RUN = 4242;

const FILES: Record<string, Buffer> = {
  'dump/app.dump': randomBytes(20 * 1024 * 1024),
  'dump/app.dump.sha256': Buffer.from('checksum line\n'),
  'manifest.json': Buffer.from(JSON.stringify({ database: 'app', tables: 12 })),
  'nested/deeper/schema.sql': Buffer.from('create table patients (id bigint primary key);\n'),
};
let source: string;

async function asJob<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const client = () => new lib.DefaultArtifactClient();
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function upload(env: Env, name: string): Promise<{ id?: number; size?: number; digest?: string }> {
  const files = Object.keys(FILES).map((f) => join(source, f));
  return asJob(env, () => client().uploadArtifact(name, files, source, { retentionDays: 5 }));
}

async function expectSameFiles(dir: string): Promise<void> {
  for (const [file, bytes] of Object.entries(FILES)) {
    expect(sha(await readFile(join(dir, file))), file).toBe(sha(bytes));
  }
}

/** The (run, job) backend ids a runtime token carries, as the library decodes them. */
function scope(env: Env): { run: string; job: string } {
  const claims = JSON.parse(
    Buffer.from(env.ACTIONS_RUNTIME_TOKEN?.split('.')[1] ?? '', 'base64url').toString(),
  );
  const [, run = '', job = ''] =
    (claims.scp as string)
      .split(' ')
      .find((s) => s.startsWith('Actions.Results:'))
      ?.split(':') ?? [];
  return { run, job };
}

async function twirp(env: Env, method: string, body: object, token = env.ACTIONS_RUNTIME_TOKEN) {
  const res = await fetch(`${service.url}/twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  service = await startArtifactService();
  process.env.GITHUB_API_URL = service.url;
  lib = await import('@actions/artifact');
  work = await mkdtemp(join(tmpdir(), 'artifact-service-'));
  source = join(work, 'source');
  for (const [file, bytes] of Object.entries(FILES)) {
    await mkdir(dirname(join(source, file)), { recursive: true });
    await writeFile(join(source, file), bytes);
  }
});

afterAll(async () => {
  await service?.close();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => service.faults.reset());

describe('the real DefaultArtifactClient against the emulator', () => {
  let uploaded: { id?: number; size?: number; digest?: string };

  beforeAll(async () => {
    uploaded = await upload(service.env(RUN, 'db'), 'pre-deploy-backup');
  });

  it('uploads a directory with a 20 MB file as staged blocks, and records size and digest at finalize', () => {
    const [stored] = service.artifacts({ runId: RUN, name: 'pre-deploy-backup' });
    expect(stored).toMatchObject({ finalized: true, id: uploaded.id, size: uploaded.size, runId: RUN });
    expect(stored?.digest).toBe(`sha256:${uploaded.digest}`);
    expect(sha(service.blob(stored?.id ?? 0) ?? Buffer.alloc(0))).toBe(uploaded.digest);
    const blocks = service.requests.filter((r) => r.tags.includes('block') && r.status === 201);
    // 8 MB chunks: a 20 MB zip is three blocks, then one commit.
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(service.requests.filter((r) => r.tags.includes('blocklist'))).toHaveLength(1);
    const expiresInDays = ((stored?.expiresAt.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(4.9);
    expect(expiresInDays).toBeLessThanOrEqual(5);
  });

  it('lists and downloads it from another job of the same run, byte for byte', async () => {
    const rollback = service.env(RUN, 'rollback');
    expect(scope(rollback).run).toBe(scope(service.env(RUN, 'db')).run);
    expect(scope(rollback).job).not.toBe(scope(service.env(RUN, 'db')).job);
    const { artifacts } = await asJob(rollback, () => client().listArtifacts());
    expect(artifacts.map((a) => [a.name, a.id, a.size])).toEqual([
      ['pre-deploy-backup', uploaded.id, uploaded.size],
    ]);
    const { artifact } = await asJob(rollback, () => client().getArtifact('pre-deploy-backup'));
    const target = join(work, 'restored');
    const result = await asJob(rollback, () =>
      client().downloadArtifact(artifact.id, { path: target, expectedHash: artifact.digest }),
    );
    expect(result.digestMismatch).toBe(false);
    await expectSameFiles(target);
  });

  it('hides it from another run, and refuses a token used for another run', async () => {
    const other = service.env(RUN + 1, 'db');
    expect((await asJob(other, () => client().listArtifacts())).artifacts).toEqual([]);
    await expect(asJob(other, () => client().getArtifact('pre-deploy-backup'))).rejects.toThrow(
      lib.ArtifactNotFoundError,
    );
    const mine = scope(service.env(RUN, 'db'));
    const res = await twirp(other, 'ListArtifacts', {
      workflow_run_backend_id: mine.run,
      workflow_job_run_backend_id: mine.job,
    });
    expect(res).toEqual({
      status: 403,
      body: { code: 'permission_denied', msg: expect.stringContaining('workflow run') },
    });
  });

  it('refuses a runtime token with a changed payload or signature', async () => {
    const env = service.env(RUN, 'db');
    const [header, payload, sig] = (env.ACTIONS_RUNTIME_TOKEN ?? '').split('.');
    const forged = `${header}.${payload}.${sig?.slice(0, -2)}AA`;
    const ids = scope(env);
    const res = await twirp(
      env,
      'ListArtifacts',
      { workflow_run_backend_id: ids.run, workflow_job_run_backend_id: ids.job },
      forged,
    );
    expect(res).toEqual({ status: 401, body: { code: 'unauthenticated', msg: 'invalid token signature' } });
  });

  it('serves a signed download URL, and refuses it once its path, permission or expiry is changed', async () => {
    const env = service.env(RUN, 'validate');
    const ids = scope(env);
    const { body } = await twirp(env, 'GetSignedArtifactURL', {
      workflow_run_backend_id: ids.run,
      workflow_job_run_backend_id: ids.job,
      name: 'pre-deploy-backup',
    });
    const signed = new URL(String(body.signed_url));
    const good = await fetch(signed);
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toBe('application/zip');
    expect(sha(Buffer.from(await good.arrayBuffer()))).toBe(uploaded.digest);

    const tamper = (edit: (u: URL) => void) => {
      const u = new URL(signed);
      edit(u);
      return u;
    };
    const cases = [
      tamper((u) => {
        u.pathname = u.pathname.replace(/\d+\.zip$/, '999.zip');
      }),
      tamper((u) => u.searchParams.set('sp', 'rcw')),
      tamper((u) => u.searchParams.set('se', '2099-01-01T00:00:00Z')),
      tamper((u) => u.searchParams.delete('sig')),
    ];
    for (const url of cases) {
      const res = await fetch(url);
      expect(res.status, url.search).toBe(403);
      expect(res.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
      expect(await res.text()).toMatch(
        /^<\?xml[^>]*\?><Error><Code>AuthenticationFailed<\/Code><Message>Server failed/,
      );
    }
    // A read URL does not grant writes, even unmodified.
    const write = await fetch(
      tamper((u) => u.searchParams.set('comp', 'block')),
      { method: 'PUT', body: 'x' },
    );
    expect([write.status, write.headers.get('x-ms-error-code')]).toEqual([
      403,
      'AuthorizationPermissionMismatch',
    ]);
  });

  it('lets REST read every attempt of a run with a token; the internal service sees one attempt', async () => {
    const retry = service.env(RUN, 'rollback', { attempt: 2 });
    expect((await asJob(retry, () => client().listArtifacts())).artifacts).toEqual([]);
    const [owner = '', repo = ''] = service.repository.split('/');
    const findBy = {
      token: service.githubToken,
      workflowRunId: RUN,
      repositoryOwner: owner,
      repositoryName: repo,
    };
    const { artifact } = await asJob(retry, () => client().getArtifact('pre-deploy-backup', { findBy }));
    expect(artifact).toMatchObject({
      id: uploaded.id,
      size: uploaded.size,
      digest: `sha256:${uploaded.digest}`,
    });
    const target = join(work, 'restored-by-rest');
    const result = await asJob(retry, () =>
      client().downloadArtifact(artifact.id, { path: target, findBy, expectedHash: artifact.digest }),
    );
    expect(result.digestMismatch).toBe(false);
    await expectSameFiles(target);

    const noToken = await fetch(`${service.url}/repos/${service.repository}/actions/runs/${RUN}/artifacts`);
    expect([noToken.status, ((await noToken.json()) as { message: string }).message]).toEqual([
      401,
      'Bad credentials',
    ]);
  });
});

describe('the emulated service on its own terms', () => {
  it('refuses a second artifact of the same name in a run attempt with 409, as GitHub does', async () => {
    const env = service.env(RUN + 10, 'db');
    await upload(env, 'once');
    await expect(upload(env, 'once')).rejects.toThrow(
      /\(409\) Conflict: an artifact with this name already exists on the workflow run/,
    );
  });

  it('checks the hash and size the client reports at finalize against what was committed', async () => {
    const env = service.env(RUN + 11, 'db');
    const ids = { workflow_run_backend_id: scope(env).run, workflow_job_run_backend_id: scope(env).job };
    const created = await twirp(env, 'CreateArtifact', { ...ids, name: 'checked', version: 7 });
    expect(created.status).toBe(200);
    const put = await fetch(String(created.body.signed_upload_url), {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/zip' },
      body: 'zip bytes',
    });
    expect(put.status).toBe(201);
    const wrongHash = await twirp(env, 'FinalizeArtifact', {
      ...ids,
      name: 'checked',
      size: '9',
      hash: `sha256:${sha(Buffer.from('other'))}`,
    });
    expect(wrongHash).toMatchObject({
      status: 400,
      body: { code: 'invalid_argument', msg: expect.stringMatching(/^hash .* does not match/) },
    });
    const wrongSize = await twirp(env, 'FinalizeArtifact', { ...ids, name: 'checked', size: '10' });
    expect(wrongSize).toMatchObject({ status: 400, body: { code: 'invalid_argument' } });
    const ok = await twirp(env, 'FinalizeArtifact', {
      ...ids,
      name: 'checked',
      size: '9',
      hash: `sha256:${sha(Buffer.from('zip bytes'))}`,
    });
    expect(ok).toEqual({ status: 200, body: { ok: true, artifact_id: expect.stringMatching(/^\d+$/) } });
    // Finalized blobs are immutable, even through a still-valid upload URL.
    const late = await fetch(String(created.body.signed_upload_url), {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x',
    });
    expect(late.status).toBe(409);
  });

  it('refuses signed URLs after their expiry', async () => {
    let skewMs = 0;
    const clocked = await startArtifactService({ now: () => Date.now() + skewMs, signedUrlTtlMs: 60_000 });
    try {
      const env = clocked.env(1, 'db');
      const ids = { workflow_run_backend_id: scope(env).run, workflow_job_run_backend_id: scope(env).job };
      const res = await fetch(
        `${clocked.url}/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${env.ACTIONS_RUNTIME_TOKEN}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ ...ids, name: 'late', version: 7 }),
        },
      );
      const url = String(((await res.json()) as Record<string, unknown>).signed_upload_url);
      skewMs = 61_000;
      const put = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' });
      expect(put.status).toBe(403);
      expect(await put.text()).toContain('<AuthenticationErrorDetail>Signed expiry time');
    } finally {
      await clocked.close();
    }
  });
});

describe('failures', () => {
  it('survives a 500 on a block mid-upload and a 503 from CreateArtifact: both are retried', async () => {
    const env = service.env(RUN + 20, 'db');
    service.faults.failNext(1, { on: 'CreateArtifact', status: 503 });
    service.faults.failNext(1, { on: 'block', status: 500 });
    const before = service.requests.length;
    const uploaded = await upload(env, 'retried');
    const seen = service.requests.slice(before).map((r) => `${r.tags.at(-1)} ${r.status}`);
    expect(seen.slice(0, 3)).toEqual(['CreateArtifact 503', 'CreateArtifact 200', 'block 500']);
    expect(seen).toContain('block 201');
    expect(seen.at(-1)).toBe('FinalizeArtifact 200');
    const target = join(work, 'retried');
    await asJob(service.env(RUN + 20, 'rollback'), () =>
      client().downloadArtifact(uploaded.id ?? 0, { path: target }),
    );
    await expectSameFiles(target);
  });

  it('reports a stalled upload when blocks are slower than ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS', async () => {
    // A service of its own: the abandoned upload goes on sending blocks after the library gives up, and
    // those must not reach the faults armed by the next test.
    const own = await startArtifactService();
    try {
      own.faults.slow(1_500, 'block');
      const env = { ...own.env(RUN + 22, 'db'), ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: '300' };
      await expect(upload(env, 'stalled')).rejects.toThrow('Upload progress stalled.');
      expect(own.artifacts({ runId: RUN + 22 })).toMatchObject([{ name: 'stalled', finalized: false }]);
    } finally {
      await own.close();
    }
  });

  // The blob client retries 500 and 503 only (after 0, 4 and 12 s); a 502 ends the upload at once.
  it('fails clearly on a 502 mid-upload, and a later upload of the same name succeeds', async () => {
    const env = service.env(RUN + 21, 'db');
    service.faults.failNext(1, { on: 'block', status: 502 });
    const failure = await upload(env, 'flaky').then(
      () => undefined,
      (err: Error & { statusCode?: number; code?: string }) => err,
    );
    expect(failure).toMatchObject({ name: 'RestError', statusCode: 502, code: 'InternalError' });
    expect(failure?.message).toMatch(/^The server encountered an internal error/);
    expect(service.artifacts({ runId: RUN + 21 })).toMatchObject([{ name: 'flaky', finalized: false }]);
    const uploaded = await upload(env, 'flaky');
    expect(service.artifacts({ runId: RUN + 21 })).toMatchObject([{ id: uploaded.id, finalized: true }]);
  });
});
