/**
 * A local Vercel REST API that the real @vercel/client and @vercel/sdk accept: bearer auth, team scoping,
 * file uploads by sha1, deployments with a timed build lifecycle, projects, env vars, promote/rollback and
 * aliases; every deployment served over HTTPS (a throwaway CA) plus a production domain per project.
 * README.md beside this file documents the options, the control methods and the endpoints.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FaultMatch, Faults, type RateLimitFault, type ServerErrorFault } from './faults.js';
import { apiError, dispatch, type Reply } from './routes.js';
import { fetchSite, type SiteHandler, type SiteHandlerScope, Sites } from './serving.js';
import { deploymentJson, projectJson } from './shapes.js';
import {
  type AliasMoveFault,
  type DeploymentRecord,
  type EnvRecord,
  type ProjectRecord,
  type ReadyState,
  Store,
} from './state.js';
import { makeCertificates } from './tls.js';

export type { FaultMatch, RateLimitFault, ServerErrorFault } from './faults.js';
export type { SiteFetchResult, SiteHandler, SiteHandlerScope, SiteRequest, SiteResponse } from './serving.js';
export type { AliasMoveFault, DeploymentRecord, EnvRecord, ProjectRecord, ReadyState } from './state.js';

export interface StartVercelEmulatorOptions {
  /** The only bearer token accepted; default a random `vercel_sandbox_…`. */
  token?: string;
  /** The one team; default `team_sandbox`. Requests without teamId address a separate, empty personal scope. */
  teamId?: string;
  /** Default 10 ms in QUEUED. */
  queuedMs?: number;
  /** Default 50 ms in BUILDING. With `queuedMs: 0, buildMs: 0` the create call itself answers READY. */
  buildMs?: number;
  /** How long a promote/rollback stays in-progress before the alias moves; default 0. */
  aliasMs?: number;
  /** Request budget behind x-ratelimit-* (429 once spent); default 10 000 per 60 s. */
  rateLimit?: { limit: number; windowMs: number };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  at: number;
}

export interface SeedEnv {
  key: string;
  value: string;
  /** Default all three targets. */
  target?: string[];
  /** Default encrypted. */
  type?: EnvRecord['type'];
  gitBranch?: string;
}

export interface SeedProject {
  name: string;
  framework?: string | null;
  /** Owner scope: default the team, null the personal scope. */
  teamId?: string | null;
  env?: SeedEnv[];
}

export interface SeedDeployment {
  /** Project id or name; created when missing. */
  project: string;
  /** Site path (no leading slash) → content. */
  files: Record<string, string | Buffer>;
  /** Default preview. */
  target?: 'production' | 'preview';
  meta?: Record<string, string>;
  /** false: a production build that does not take the domain (STAGED) until promoted. */
  autoAssignCustomDomains?: boolean;
  teamId?: string | null;
}

export type VercelEmulator = Awaited<ReturnType<typeof startVercelEmulator>>;

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
  if (reply.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

export async function startVercelEmulator(options: StartVercelEmulatorOptions = {}) {
  const token = options.token ?? `vercel_sandbox_${randomBytes(12).toString('hex')}`;
  const teamId = options.teamId ?? 'team_sandbox';
  const dir = await mkdtemp(join(tmpdir(), 'vercel-emulator-'));
  const certs = await makeCertificates(dir);
  const sites = new Sites(certs, () => store);
  const build = {
    queuedMs: options.queuedMs ?? 10,
    buildMs: options.buildMs ?? 50,
    aliasMs: options.aliasMs ?? 0,
  };
  const store: Store = new Store(build, (site) => sites.open(site));
  const faults = new Faults(options.rateLimit ?? { limit: 10_000, windowMs: 60_000 });
  const requests: RequestLogEntry[] = [];
  const unhandled: RequestLogEntry[] = [];

  /** The owner scope a request addresses, or its refusal (403 for another team). */
  function scopeOf(query: URLSearchParams): string | Reply {
    // @vercel/client appends VERCEL_TEAM_ID as a second teamId; identical values are fine.
    const teamIds = [...new Set(query.getAll('teamId').filter(Boolean))];
    const slug = query.get('slug');
    if (teamIds.length > 1) return apiError(400, 'bad_request', 'Conflicting teamId parameters');
    if ((teamIds[0] ?? teamId) !== teamId || (teamIds.length === 0 && slug && slug !== 'sandbox')) {
      return apiError(403, 'forbidden', 'Not authorized: you are not a member of this team');
    }
    return teamIds.length > 0 || slug ? teamId : PERSONAL_SCOPE;
  }

  /** Faults first (a rate limiter sits in front of everything), then auth, scope and the route table. */
  async function answer(
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    entry: RequestLogEntry,
  ): Promise<Reply> {
    const method = req.method ?? 'GET';
    const delay = faults.delayFor(method, url.pathname);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const budget = faults.countRequest();
    const withBudget = (reply: Reply): Reply => ({
      ...reply,
      headers: { ...budget.headers, ...reply.headers },
    });
    const fault = faults.respond(method, url.pathname, budget.exhausted);
    if (fault) return withBudget(fault);
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!presented) {
      const message = 'The request is missing an authentication token';
      return withBudget(apiError(403, 'forbidden', message, { missingToken: true }));
    }
    if (presented !== token) {
      return withBudget(apiError(403, 'forbidden', 'Not authorized', { invalidToken: true }));
    }
    const ownerId = scopeOf(url.searchParams);
    if (typeof ownerId !== 'string') return withBudget(ownerId);
    const context = { store, ownerId, query: url.searchParams, headers: req.headers, body };
    const reply = await dispatch(method, url.pathname, context);
    if (reply) return withBudget(reply);
    unhandled.push(entry);
    return withBudget(apiError(404, 'not_found', `The emulator has no route for ${method} ${url.pathname}`));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status: 0,
      at: Date.now(),
    };
    requests.push(entry);
    // An upload is in flight from its first byte until its answer is sent, faults and delays included.
    const upload = entry.method === 'POST' && /^\/v2\/(now\/)?files$/.test(url.pathname);
    if (upload) {
      store.uploads.inFlight++;
      store.uploads.maxInFlight = Math.max(store.uploads.maxInFlight, store.uploads.inFlight);
    }
    readBody(req)
      .then((body) => answer(req, url, body, entry))
      .catch((err: unknown) => apiError(500, 'internal_server_error', String(err)))
      .then((reply) => {
        entry.status = reply.status;
        if (upload) store.uploads.inFlight--;
        send(res, reply, {});
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const owner = (t: string | null | undefined): string => (t === null ? PERSONAL_SCOPE : (t ?? teamId));
  const mustProject = (idOrName: string, t?: string | null): ProjectRecord => {
    const p = store.findProject(owner(t), idOrName);
    if (!p) throw new Error(`vercel emulator: no project ${idOrName}`);
    return p;
  };
  const addEnv = (projectIdOrName: string, env: SeedEnv, t?: string | null): EnvRecord => {
    const target = env.target ?? ['production', 'preview', 'development'];
    const fields = {
      key: env.key,
      value: env.value,
      type: env.type ?? 'encrypted',
      target,
      gitBranch: env.gitBranch,
    };
    return store.putEnv(mustProject(projectIdOrName, t), fields);
  };
  function waitForState(
    id: string,
    states: ReadyState[] = ['READY', 'ERROR', 'CANCELED'],
  ): Promise<DeploymentRecord> {
    const d = store.deployments.get(id);
    if (!d) return Promise.reject(new Error(`vercel emulator: no deployment ${id}`));
    if (states.includes(d.readyState)) return Promise.resolve(d);
    return new Promise((resolve) => {
      const off = store.onChange((changed) => {
        if (changed.id !== id || !states.includes(changed.readyState)) return;
        off();
        resolve(changed);
      });
    });
  }
  let closed = false;

  return {
    /** `http://127.0.0.1:<port>`, no trailing slash: @vercel/client `apiUrl`, @vercel/sdk `serverURL`. */
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    teamId,
    /** PEM file of the CA behind every site certificate: NODE_EXTRA_CA_CERTS for child processes. */
    caFile: certs.caFile,
    ca: certs.ca,
    /** Files and bytes accepted by POST /v2/files; uploads being answered now and at most at once. */
    uploads: store.uploads,
    /** Every API request with its answer's status, oldest first; `unhandled`: those no route matched. */
    requests,
    unhandled,
    /** `{ queuedMs, buildMs, aliasMs }`, writable between tests. */
    build,
    resetUploadStats(): void {
      store.uploads.files = 0;
      store.uploads.bytes = 0;
      store.uploads.maxInFlight = store.uploads.inFlight;
    },
    async createProject(seed: SeedProject): Promise<ProjectRecord> {
      const p = await store.createProject(owner(seed.teamId), seed.name, seed.framework ?? null);
      for (const env of seed.env ?? []) addEnv(p.id, env, seed.teamId);
      return p;
    },
    addEnv,
    project: (idOrName: string, t?: string | null) => store.findProject(owner(t), idOrName),
    deployment: (idOrUrl: string, t?: string | null) => store.findDeployment(owner(t), idOrUrl),
    deployments: (): DeploymentRecord[] => [...store.deployments.values()],
    /** What GET /v9/projects/{id} and GET /v13/deployments/{id} would answer. */
    projectJson: (p: ProjectRecord) => projectJson(store, p),
    deploymentJson: (d: DeploymentRecord) => deploymentJson(store, d),
    /** `https://127.0.0.1:<port>` of the project's production domain. */
    productionUrl: (idOrName: string, t?: string | null) =>
      `https://${mustProject(idOrName, t).productionDomain}`,
    productionDeploymentId: (idOrName: string, t?: string | null) =>
      mustProject(idOrName, t).productionDeploymentId,
    /** Resolves when the deployment reaches one of `states`. */
    waitForState,
    /** A deployment made without a client, from path → content; resolves when its build has ended. */
    async seedDeployment(input: SeedDeployment): Promise<DeploymentRecord> {
      const ownerId = owner(input.teamId);
      const project =
        store.findProject(ownerId, input.project) ?? (await store.createProject(ownerId, input.project));
      const files = new Map(
        Object.entries(input.files).map(([path, data]) => [path, store.putFile(Buffer.from(data))]),
      );
      const target = input.target === 'production' ? 'production' : null;
      const autoAssignCustomDomains = input.autoAssignCustomDomains ?? true;
      const meta = input.meta ?? {};
      const d = await store.createDeployment({
        ownerId,
        project,
        name: project.name,
        target,
        meta,
        files,
        autoAssignCustomDomains,
      });
      return waitForState(d.id);
    },
    /** The next build(s) end in ERROR with this message, errorCode (default BUILD_FAILED) and log lines. */
    failNextBuild(
      message = 'Command "npm run build" exited with 1',
      opts: { code?: string; log?: string[]; times?: number } = {},
    ) {
      for (let i = 0; i < (opts.times ?? 1); i++) {
        store.buildFailures.push({ message, code: opts.code ?? 'BUILD_FAILED', log: opts.log ?? [] });
      }
    },
    cancel(id: string): boolean {
      const d = store.deployments.get(id);
      return d ? store.cancel(d) : false;
    },
    /** The next promote/rollback keeps the alias while reporting success, fails, or never finishes. */
    failNextAliasMove(mode: AliasMoveFault): void {
      store.aliasFaults.push(mode);
    },
    rateLimitNext: (times: number, match: RateLimitFault = {}) =>
      faults.add({ kind: 'rate-limit', left: times, spec: match }),
    failNext: (times: number, match: ServerErrorFault = {}) =>
      faults.add({ kind: 'server-error', left: times, spec: match }),
    delayNext: (times: number, ms: number, match: FaultMatch = {}) =>
      faults.add({ kind: 'delay', left: times, spec: { ...match, ms } }),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    /** A dynamic site route on the deployments in `scope`; returns its remover. */
    handle: (path: string | RegExp, handler: SiteHandler, scope?: SiteHandlerScope) =>
      sites.handle(path, handler, scope),
    /**
     * Standard Deployment Protection on a project (id or name): its deployment URLs answer 401 without
     * `x-vercel-protection-bypass: <bypassSecret>`; its production domain stays public. Returns its remover.
     */
    protectDeployments(idOrName: string, bypassSecret: string, teamId?: string | null): () => void {
      const project = store.findProject(owner(teamId), idOrName);
      if (!project) throw new Error(`no project ${idOrName}`);
      return sites.protect(project.id, bypassSecret);
    },
    /** An HTTPS request trusting the sandbox CA (in-process fetch cannot use NODE_EXTRA_CA_CERTS). */
    fetchSite: (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) =>
      fetchSite(url, certs.ca, init),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      store.close();
      const api = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([api, sites.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
