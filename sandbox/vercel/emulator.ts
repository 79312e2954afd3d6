/**
 * A local Vercel REST API that the real @vercel/client and @vercel/sdk accept: bearer auth, team scoping,
 * file uploads by sha1, deployments with a timed build lifecycle, projects, env vars, promote/rollback and
 * aliases; every deployment served over HTTPS (a throwaway CA) plus a production domain per project.
 * See README.md beside this file for the API and the control methods tests use.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FaultMatch, Faults, type RateLimitFault, type ServerErrorFault } from './faults.js';
import { apiError, dispatch, type Reply } from './routes.js';
import {
  fetchSite,
  type SiteFetchResult,
  type SiteHandler,
  type SiteHandlerScope,
  Sites,
} from './serving.js';
import { deploymentJson, projectJson } from './shapes.js';
import {
  type AliasMoveFault,
  type BuildSettings,
  type DeploymentRecord,
  type EnvRecord,
  newId,
  type ProjectRecord,
  type ReadyState,
  Store,
} from './state.js';
import { makeCertificates } from './tls.js';

export type { FaultMatch, RateLimitFault, ServerErrorFault } from './faults.js';
export type { SiteFetchResult, SiteHandler, SiteHandlerScope, SiteRequest, SiteResponse } from './serving.js';
export type { AliasMoveFault, DeploymentRecord, EnvRecord, ProjectRecord, ReadyState } from './state.js';

export interface StartVercelEmulatorOptions {
  /** Bearer token the API accepts; default a random `vercel_sandbox_…`. */
  token?: string;
  /** The one team; default `team_sandbox`. Requests without teamId see the (separate) personal scope. */
  teamId?: string;
  /** Default 10 ms. */
  queuedMs?: number;
  /** Default 50 ms. `queuedMs: 0, buildMs: 0` makes the create call answer READY at once. */
  buildMs?: number;
  /** Delay before a promote/rollback moves the alias (lastAliasRequest in-progress meanwhile); default 0. */
  aliasMs?: number;
  /** Requests per window before 429s (x-ratelimit-* on every answer); default 10 000 per 60 s. */
  rateLimit?: { limit: number; windowMs: number };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  at: number;
}

export interface SeedProject {
  name: string;
  framework?: string | null;
  /** Owner scope; default the team. */
  teamId?: string | null;
  env?: Array<{
    key: string;
    value: string;
    target?: string[];
    type?: EnvRecord['type'];
    gitBranch?: string;
  }>;
}

export interface VercelEmulator {
  /** `http://127.0.0.1:<port>` with no trailing slash: @vercel/client `apiUrl`, @vercel/sdk `serverURL`. */
  readonly apiUrl: string;
  readonly token: string;
  readonly teamId: string;
  /** PEM of the CA that signed every site's certificate (NODE_EXTRA_CA_CERTS=caFile for child processes). */
  readonly caFile: string;
  readonly ca: string;
  /** Files and bytes accepted by POST /v2/files since start (or since resetUploadStats). */
  readonly uploads: { files: number; bytes: number };
  /** Every API request with its answer status, oldest first. */
  readonly requests: RequestLogEntry[];
  /** API requests no route matched (answered 404). */
  readonly unhandled: RequestLogEntry[];
  /** Build timing; change fields between tests. */
  readonly build: BuildSettings;
  resetUploadStats(): void;

  createProject(seed: SeedProject): Promise<ProjectRecord>;
  addEnv(
    projectIdOrName: string,
    env: NonNullable<SeedProject['env']>[number],
    teamId?: string | null,
  ): EnvRecord;
  project(idOrName: string, teamId?: string | null): ProjectRecord | undefined;
  deployment(idOrUrl: string, teamId?: string | null): DeploymentRecord | undefined;
  deployments(): DeploymentRecord[];
  /** The API's JSON for a project / deployment (what GET would answer). */
  projectJson(p: ProjectRecord): Record<string, unknown>;
  deploymentJson(d: DeploymentRecord): Record<string, unknown>;
  /** `https://127.0.0.1:<port>` of the project's production domain. */
  productionUrl(projectIdOrName: string, teamId?: string | null): string;
  /** The deployment the production domain serves now, or null. */
  productionDeploymentId(projectIdOrName: string, teamId?: string | null): string | null;
  /** Resolves when the deployment reaches one of `states` (default READY, ERROR, CANCELED). */
  waitForState(id: string, states?: ReadyState[]): Promise<DeploymentRecord>;

  /** The next build(s) end in ERROR with this message (errorCode default BUILD_FAILED, extra log lines). */
  failNextBuild(message?: string, opts?: { code?: string; log?: string[]; times?: number }): void;
  /** Cancels a QUEUED/BUILDING deployment; false when it already finished. */
  cancel(id: string): boolean;
  /** The next promote/rollback misbehaves: alias stays (reporting success), fails, or never finishes. */
  failNextAliasMove(mode: AliasMoveFault): void;

  /** The next `times` API requests matching answer 429 with Vercel's body and rate-limit headers. */
  rateLimitNext(times: number, match?: RateLimitFault): void;
  /** The next `times` API requests matching answer 5xx (default 500) with Vercel's error body. */
  failNext(times: number, match?: ServerErrorFault): void;
  /** The next `times` API requests matching wait `ms` before being handled. */
  delayNext(times: number, ms: number, match?: FaultMatch): void;
  clearFaults(): void;
  /** Fault repetitions not used up yet. */
  pendingFaults(): number;

  /** Dynamic site route (e.g. /health) on deployments in `scope`; returns its remover. */
  handle(path: string | RegExp, handler: SiteHandler, scope?: SiteHandlerScope): () => void;
  /** GET a site URL trusting the sandbox CA (in-process fetch cannot use NODE_EXTRA_CA_CERTS). */
  fetchSite(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<SiteFetchResult>;

  close(): Promise<void>;
}

const PERSONAL_SCOPE = 'user_sandbox';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
  const headers: Record<string, string> = { ...extra, ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers);
  res.end(JSON.stringify(reply.body));
}

export async function startVercelEmulator(options: StartVercelEmulatorOptions = {}): Promise<VercelEmulator> {
  const token = options.token ?? `vercel_sandbox_${randomBytes(12).toString('hex')}`;
  const teamId = options.teamId ?? 'team_sandbox';
  const dir = await mkdtemp(join(tmpdir(), 'vercel-emulator-'));
  const certs = await makeCertificates(dir);
  let store: Store | undefined;
  const sites = new Sites(certs, () => store as Store);
  store = new Store(
    { queuedMs: options.queuedMs ?? 10, buildMs: options.buildMs ?? 50, aliasMs: options.aliasMs ?? 0 },
    (site) => sites.open(site),
  );
  const state = store;
  const faults = new Faults(options.rateLimit ?? { limit: 10_000, windowMs: 60_000 });
  const requests: RequestLogEntry[] = [];
  const unhandled: RequestLogEntry[] = [];

  /** The owner scope a request addresses, or the refusal (403 for another team). */
  function scopeOf(query: URLSearchParams): string | Reply {
    const teamIds = new Set(query.getAll('teamId').filter(Boolean));
    const slug = query.get('slug');
    // @vercel/client appends VERCEL_TEAM_ID as a second teamId; identical values are fine.
    if (teamIds.size > 1) return apiError(400, 'bad_request', 'Conflicting teamId parameters');
    const [asked] = [...teamIds];
    if (asked !== undefined && asked !== teamId) {
      return apiError(403, 'forbidden', 'Not authorized: you are not a member of this team', {
        teamId: asked,
      });
    }
    if (asked === undefined && slug && slug !== 'sandbox') {
      return apiError(403, 'forbidden', 'Not authorized: you are not a member of this team', { slug });
    }
    return asked !== undefined || slug ? teamId : PERSONAL_SCOPE;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const body = await readBody(req);
    const entry: RequestLogEntry = { method, path, query: url.search, status: 0, at: Date.now() };
    requests.push(entry);
    const finish = (reply: Reply, extra: Record<string, string>): void => {
      entry.status = reply.status;
      send(res, reply, extra);
    };
    const delay = faults.delayFor(method, path);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const budget = faults.countRequest();
    const fault = faults.respond(method, path, budget.exhausted);
    if (fault) return finish(fault, budget.headers);
    const auth = req.headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    if (!presented) {
      return finish(
        apiError(403, 'forbidden', 'The request is missing an authentication token', { missingToken: true }),
        budget.headers,
      );
    }
    if (presented !== token) {
      return finish(apiError(403, 'forbidden', 'Not authorized', { invalidToken: true }), budget.headers);
    }
    const ownerId = scopeOf(url.searchParams);
    if (typeof ownerId !== 'string') return finish(ownerId, budget.headers);
    const reply = await dispatch(method, path, {
      store: state,
      ownerId,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (!reply) {
      unhandled.push(entry);
      return finish(
        apiError(404, 'not_found', `The emulator has no route for ${method} ${path}`),
        budget.headers,
      );
    }
    finish(reply, budget.headers);
  }

  const server = createServer((req, res) => {
    handleApi(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, apiError(500, 'internal_server_error', String(err)), {});
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const owner = (t: string | null | undefined): string => (t === null ? PERSONAL_SCOPE : (t ?? teamId));
  const mustProject = (idOrName: string, t?: string | null): ProjectRecord => {
    const p = state.findProject(owner(t), idOrName);
    if (!p) throw new Error(`vercel emulator: no project ${idOrName}`);
    return p;
  };
  const addEnv: VercelEmulator['addEnv'] = (projectIdOrName, env, t) => {
    const now = Date.now();
    const record: EnvRecord = {
      id: newId('').slice(0, 16),
      key: env.key,
      value: env.value,
      type: env.type ?? 'encrypted',
      target: env.target ?? ['production', 'preview', 'development'],
      gitBranch: env.gitBranch,
      createdAt: now,
      updatedAt: now,
    };
    mustProject(projectIdOrName, t).envs.push(record);
    return record;
  };

  let closed = false;
  return {
    apiUrl,
    token,
    teamId,
    caFile: certs.caFile,
    ca: certs.ca,
    uploads: state.uploads,
    requests,
    unhandled,
    build: state.build,
    resetUploadStats() {
      state.uploads.files = 0;
      state.uploads.bytes = 0;
    },
    async createProject(seed) {
      const p = await state.createProject(owner(seed.teamId), seed.name, seed.framework ?? null);
      for (const env of seed.env ?? []) addEnv(p.id, env, seed.teamId);
      return p;
    },
    addEnv,
    project: (idOrName, t) => state.findProject(owner(t), idOrName),
    deployment: (idOrUrl, t) => state.findDeployment(owner(t), idOrUrl),
    deployments: () => [...state.deployments.values()],
    projectJson: (p) => projectJson(state, p),
    deploymentJson: (d) => deploymentJson(state, d),
    productionUrl: (idOrName, t) => `https://${mustProject(idOrName, t).productionDomain}`,
    productionDeploymentId: (idOrName, t) => mustProject(idOrName, t).productionDeploymentId,
    waitForState(id, states = ['READY', 'ERROR', 'CANCELED']) {
      const d = state.deployments.get(id);
      if (!d) return Promise.reject(new Error(`vercel emulator: no deployment ${id}`));
      if (states.includes(d.readyState)) return Promise.resolve(d);
      return new Promise((resolve) => {
        const off = state.onChange((changed) => {
          if (changed.id === id && states.includes(changed.readyState)) {
            off();
            resolve(changed);
          }
        });
      });
    },
    failNextBuild(message = 'Command "npm run build" exited with 1', opts = {}) {
      for (let i = 0; i < (opts.times ?? 1); i++) {
        state.buildFailures.push({ message, code: opts.code ?? 'BUILD_FAILED', log: opts.log ?? [] });
      }
    },
    cancel(id) {
      const d = state.deployments.get(id);
      return d ? state.cancel(d) : false;
    },
    failNextAliasMove(mode) {
      state.aliasFaults.push(mode);
    },
    rateLimitNext: (times, match) => faults.rateLimit(times, match),
    failNext: (times, match) => faults.serverError(times, match),
    delayNext: (times, ms, match) => faults.delay(times, ms, match),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    handle: (path, handler, scope) => sites.handle(path, handler, scope),
    fetchSite: (url, init) => fetchSite(url, certs.ca, init),
    async close() {
      if (closed) return;
      closed = true;
      state.close();
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        sites.close(),
      ]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
