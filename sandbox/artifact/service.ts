/**
 * An emulator of the GitHub Actions results service that @actions/artifact 6 talks to: Twirp
 * ArtifactService, the blob storage behind its signed URLs, and the GitHub REST endpoints used for
 * other runs' artifacts, all on one loopback server. See README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleBlob } from './blob.js';
import type { ServiceContext } from './context.js';
import { FaultPlan, type Faults } from './faults.js';
import { azureError, json, type Reply, readBody, send } from './http.js';
import { handleRest } from './rest.js';
import { type ArtifactInfo, ArtifactState } from './state.js';
import { backendId, issueRuntimeToken } from './tokens.js';
import { handleTwirp, TWIRP_PREFIX, twirpError } from './twirp.js';

export type { Faults, FaultTarget } from './faults.js';
export type { ArtifactInfo } from './state.js';

export interface ArtifactServiceOptions {
  /** owner/name the REST endpoints answer for; default the test harness's repository. */
  repository?: string;
  /** The token REST calls must carry; default a random `ghs_` string. */
  githubToken?: string;
  /** Lifetime of signed upload/download URLs from the Twirp service; default 1 hour. */
  signedUrlTtlMs?: number;
  /** Lifetime of runtime tokens; default 6 hours (a job's longest run). */
  runtimeTokenTtlMs?: number;
  /** Retention without expires_at, and the cap on it; default 90 and 90 days. */
  defaultRetentionDays?: number;
  maxRetentionDays?: number;
  /** The service's clock (expiry of tokens, URLs, artifacts); default Date.now. */
  now?: () => number;
}

export interface RequestRecord {
  method: string;
  /** Path without the query (signatures stay out of test output). */
  path: string;
  tags: string[];
  status: number;
}

export interface ArtifactService {
  /** http://127.0.0.1:<port>: ACTIONS_RESULTS_URL, and GITHUB_API_URL for the REST endpoints. */
  readonly url: string;
  readonly repository: string;
  readonly githubToken: string;
  /** The variables the runner gives a JavaScript action in job `jobId` of run `runId`. */
  env(runId: number | string, jobId: string, options?: { attempt?: number }): Record<string, string>;
  /** Every artifact, pending ones included, optionally of one run. */
  artifacts(filter?: { runId?: number | string; name?: string }): ArtifactInfo[];
  /** The committed zip of an artifact. */
  blob(artifactId: number): Buffer | undefined;
  /** Swaps an artifact's stored bytes behind the service's back (storage corruption); its digest stays. */
  corruptBlob(artifactId: number, data: Buffer): void;
  readonly requests: RequestRecord[];
  readonly faults: Faults;
  close(): Promise<void>;
}

export async function startArtifactService(options: ArtifactServiceOptions = {}): Promise<ArtifactService> {
  const state = new ArtifactState();
  const faults = new FaultPlan();
  const requests: RequestRecord[] = [];
  const key = randomBytes(32);
  const now = options.now ?? Date.now;
  const ctx: ServiceContext = {
    state,
    key,
    origin: '',
    now,
    signedUrlTtlMs: options.signedUrlTtlMs ?? 3_600_000,
    defaultRetentionDays: options.defaultRetentionDays ?? 90,
    maxRetentionDays: options.maxRetentionDays ?? 90,
    repository: options.repository ?? 'neonpro/healthcare-platform',
    githubToken: options.githubToken ?? `ghs_${randomBytes(18).toString('base64url')}`,
  };

  const server = createServer((req, res) => {
    serve(ctx, faults, requests, req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, json(500, { message: err.message }));
      else res.destroy(err);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  ctx.origin = `http://127.0.0.1:${port}`;

  return {
    url: ctx.origin,
    repository: ctx.repository,
    githubToken: ctx.githubToken,
    env(runId, jobId, { attempt = 1 } = {}) {
      const run = Number(runId);
      if (!Number.isSafeInteger(run) || run <= 0)
        throw new Error(`run id must be a positive integer, not ${runId}`);
      const runBackendId = backendId(key.toString('hex'), 'run', run, attempt);
      const jobBackendId = backendId(key.toString('hex'), 'job', run, attempt, jobId);
      if (!state.runs.has(runBackendId)) state.runs.set(runBackendId, { runId: run, attempt, runBackendId });
      const token = issueRuntimeToken(
        key,
        { runBackendId, jobBackendId },
        now(),
        options.runtimeTokenTtlMs ?? 6 * 3_600_000,
      );
      return {
        ACTIONS_RUNTIME_TOKEN: token,
        ACTIONS_RESULTS_URL: `${ctx.origin}/`,
        GITHUB_RUN_ID: String(run),
        GITHUB_RUN_ATTEMPT: String(attempt),
      };
    },
    artifacts({ runId, name } = {}) {
      return [...state.artifacts.values()]
        .filter(
          (a) =>
            (runId === undefined || a.run.runId === Number(runId)) && (name === undefined || a.name === name),
        )
        .map((a) => state.info(a));
    },
    blob(artifactId) {
      const artifact = state.artifacts.get(artifactId);
      return artifact && state.blobs.get(artifact.blobPath)?.data;
    },
    corruptBlob(artifactId, data) {
      const artifact = state.artifacts.get(artifactId);
      const blob = artifact && state.blobs.get(artifact.blobPath);
      if (!blob?.data) throw new Error(`artifact ${artifactId} has no committed blob`);
      blob.data = data;
    },
    requests,
    faults,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tagsOf(req: IncomingMessage, url: URL): string[] {
  const path = url.pathname;
  if (path.startsWith(TWIRP_PREFIX)) return ['any', 'twirp', path.slice(TWIRP_PREFIX.length)];
  if (path.startsWith('/blob/')) {
    if (req.method === 'PUT') return ['any', 'blob', 'blob-upload', url.searchParams.get('comp') ?? 'put'];
    return ['any', 'blob', 'blob-download'];
  }
  if (path.startsWith('/repos/')) return ['any', 'rest'];
  return ['any'];
}

async function serve(
  ctx: ServiceContext,
  faults: FaultPlan,
  requests: RequestRecord[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.origin);
  // The whole body is read first, so an injected failure never meets a half-sent upload.
  const body = await readBody(req);
  const tags = tagsOf(req, url);
  const record: RequestRecord = { method: req.method ?? '', path: url.pathname, tags, status: 0 };
  requests.push(record);
  res.once('finish', () => {
    record.status = res.statusCode;
  });
  // A fault is claimed when the request arrives: a slow request still in flight from an earlier test
  // must not take the fault armed for the next one.
  const injected = faults.take(tags);
  const delay = faults.delay(tags);
  if (delay > 0) await sleep(delay);
  send(res, route(ctx, req, url, tags, body, injected), req.method === 'HEAD');
}

function route(
  ctx: ServiceContext,
  req: IncomingMessage,
  url: URL,
  tags: string[],
  body: Buffer,
  injected: number | undefined,
): Reply {
  const method = req.method ?? '';
  if (injected !== undefined) return injectedFailure(tags, injected);
  if (tags.includes('twirp')) return handleTwirp(ctx, method, req.headers, tags[2] ?? '', body);
  if (tags.includes('blob')) return handleBlob(ctx, method, req.headers, url, body);
  if (tags.includes('rest')) return handleRest(ctx, method, req.headers.authorization, url);
  return json(404, { message: 'Not Found' });
}

function injectedFailure(tags: string[], status: number): Reply {
  if (tags.includes('twirp'))
    return twirpError(status === 503 ? 'unavailable' : 'internal', 'injected fault');
  if (!tags.includes('blob')) return json(status, { message: 'injected fault' });
  if (status === 503) {
    return azureError(
      503,
      'ServerBusy',
      'The server is currently unable to receive requests. Please retry your request.',
    );
  }
  return azureError(
    status,
    'InternalError',
    'The server encountered an internal error. Please retry the request.',
  );
}
