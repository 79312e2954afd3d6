/**
 * The API's route table: one entry per endpoint that @vercel/client, @vercel/sdk or the CLI calls, mapped
 * onto the store. Paths, status codes and error bodies follow /work/shared/reference/vercel-api.md.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  aliasesOf,
  aliasJson,
  deploymentJson,
  deploymentListItem,
  envJson,
  eventsJson,
  projectJson,
} from './shapes.js';
import type { EnvRecord, ProjectRecord, Store } from './state.js';
import { sha1 } from './state.js';

export interface RouteContext {
  store: Store;
  ownerId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status: number;
  /** undefined: an empty body (promote/rollback answer 201 with nothing). */
  body?: unknown;
  headers?: Record<string, string>;
}

interface Route {
  method: string;
  paths: string[];
  handler: (ctx: RouteContext) => Reply | Promise<Reply>;
}

export function apiError(status: number, code: string, message: string, extra: object = {}): Reply {
  return { status, body: { error: { code, message, ...extra } } };
}

/** Thrown by handlers for a 4xx; the dispatcher turns it into the reply. */
class Refusal extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super('refused');
    this.reply = reply;
  }
}

function refuse(status: number, code: string, message: string, extra: object = {}): never {
  throw new Refusal(apiError(status, code, message, extra));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function json(ctx: RouteContext): unknown {
  if (ctx.body.length === 0) return {};
  try {
    return JSON.parse(ctx.body.toString('utf8'));
  } catch {
    return refuse(400, 'bad_request', 'Invalid JSON body');
  }
}

function project(
  ctx: RouteContext,
  idOrName = ctx.params.idOrName ?? ctx.params.projectId ?? '',
): ProjectRecord {
  return ctx.store.findProject(ctx.ownerId, idOrName) ?? refuse(404, 'not_found', 'Project not found');
}

function deployment(ctx: RouteContext, idOrUrl: string) {
  return (
    ctx.store.findDeployment(ctx.ownerId, idOrUrl) ??
    refuse(404, 'not_found', 'Deployment not found', { id: idOrUrl })
  );
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });

async function uploadFile(ctx: RouteContext): Promise<Reply> {
  const digest = String(ctx.headers['x-vercel-digest'] ?? ctx.headers['x-now-digest'] ?? '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(digest)) {
    return apiError(400, 'invalid_digest', 'The x-vercel-digest (or x-now-digest) header must be a sha1 hex');
  }
  const declared = Number(ctx.headers['content-length'] ?? ctx.headers['x-now-size']);
  if (!Number.isInteger(declared) || declared !== ctx.body.length) {
    return apiError(400, 'invalid_content_length', 'Content-Length does not match the body');
  }
  const actual = sha1(ctx.body);
  if (actual !== digest) {
    return apiError(
      400,
      'incorrect_file_digest',
      `The file digest ${digest} does not match the body (${actual})`,
    );
  }
  ctx.store.putFile(ctx.body);
  ctx.store.uploads.files += 1;
  ctx.store.uploads.bytes += ctx.body.length;
  return ok({ urls: [] });
}

/** Site path → sha, and the shas the store lacks. Inline entries (`data`) are stored on the way. */
function readFileList(ctx: RouteContext, files: unknown): { files: Map<string, string>; missing: string[] } {
  if (!Array.isArray(files)) refuse(400, 'bad_request', '`files` must be an array');
  const out = new Map<string, string>();
  const missing = new Set<string>();
  for (const entry of files) {
    if (!isRecord(entry) || typeof entry.file !== 'string' || entry.file === '') {
      refuse(400, 'bad_request', 'Each file needs a `file` path');
    }
    let sha: string;
    if (typeof entry.data === 'string') {
      sha = ctx.store.putFile(Buffer.from(entry.data, entry.encoding === 'base64' ? 'base64' : 'utf8'));
    } else if (typeof entry.sha === 'string' && /^[0-9a-f]{40}$/.test(entry.sha)) {
      sha = entry.sha;
      if (!ctx.store.files.has(sha)) missing.add(sha);
    } else {
      return refuse(400, 'bad_request', `File ${entry.file} needs a sha1 \`sha\` or inline \`data\``);
    }
    out.set(entry.file.replace(/^\/+/, ''), sha);
  }
  return { files: out, missing: [...missing] };
}

/** A prebuilt deploy (or any upload holding .vercel/output/static) serves that folder; others serve as is. */
function siteFiles(files: Map<string, string>, prebuilt: boolean): Map<string, string> {
  const prefix = '.vercel/output/static/';
  if (!prebuilt && ![...files.keys()].some((f) => f.startsWith(prefix))) return files;
  const site = new Map<string, string>();
  for (const [path, sha] of files) if (path.startsWith(prefix)) site.set(path.slice(prefix.length), sha);
  return site;
}

async function createDeployment(ctx: RouteContext): Promise<Reply> {
  const body = json(ctx);
  if (!isRecord(body)) return refuse(400, 'bad_request', 'The body must be a JSON object');
  const { store } = ctx;
  let files: Map<string, string>;
  if (typeof body.deploymentId === 'string') {
    // The CLI's "promote a preview" path: a new deployment from an existing one's files.
    files = new Map(deployment(ctx, body.deploymentId).files);
  } else {
    const list = readFileList(ctx, body.files ?? []);
    if (list.missing.length > 0) {
      return apiError(400, 'missing_files', 'Missing files', { missing: list.missing });
    }
    files = siteFiles(list.files, ctx.query.get('prebuilt') === '1');
  }
  const meta: Record<string, string> = {};
  if (body.meta !== undefined) {
    if (!isRecord(body.meta)) refuse(400, 'bad_request', '`meta` must be an object of strings');
    for (const [k, v] of Object.entries(body.meta)) {
      if (typeof v !== 'string') refuse(400, 'bad_request', `meta.${k} must be a string`);
      meta[k] = v;
    }
  }
  const name = typeof body.name === 'string' ? body.name : undefined;
  const projectRef = typeof body.project === 'string' ? body.project : name;
  if (!projectRef) return refuse(400, 'bad_request', 'A `name` or `project` is required');
  let target: 'production' | null = null;
  if (body.target === 'production') target = 'production';
  else if (body.target !== undefined && body.target !== 'preview' && body.target !== null) {
    refuse(
      400,
      'bad_request',
      `Unknown target ${JSON.stringify(body.target)} (the emulator has no custom environments)`,
    );
  }
  const proj =
    store.findProject(ctx.ownerId, projectRef) ??
    (projectRef.startsWith('prj_')
      ? refuse(404, 'not_found', 'Project not found')
      : await store.createProject(ctx.ownerId, projectRef));
  const d = await store.createDeployment({
    ownerId: ctx.ownerId,
    project: proj,
    name: name ?? proj.name,
    target,
    meta,
    files,
    autoAssignCustomDomains: body.autoAssignCustomDomains !== false,
    gitSource: body.gitSource,
  });
  return ok(deploymentJson(store, d));
}

function listDeployments(ctx: RouteContext): Reply {
  const q = ctx.query;
  const projectRef = q.get('projectId') ?? q.get('app');
  const proj = projectRef ? ctx.store.findProject(ctx.ownerId, projectRef) : undefined;
  if (projectRef && !proj) return ok({ deployments: [], pagination: { count: 0, next: null, prev: null } });
  const states = q.get('state')?.split(',').filter(Boolean);
  const target = q.get('target');
  const since = Number(q.get('since') ?? 0);
  const until = Number(q.get('until') ?? Number.POSITIVE_INFINITY);
  const metaFilters = [...q.entries()]
    .filter(([k]) => k.startsWith('meta-'))
    .map(([k, v]) => [k.slice(5), v]);
  const sha = q.get('sha');
  const branch = q.get('branch');
  const rollbackCandidate = q.get('rollbackCandidate');
  const limit = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 100);
  const all = [...ctx.store.deployments.values()]
    .filter((d) => d.ownerId === ctx.ownerId && (!proj || d.projectId === proj.id))
    .filter((d) => !states || states.includes(d.readyState))
    .filter((d) => !target || (target === 'production' ? d.target === 'production' : d.target === null))
    .filter((d) => d.createdAt >= since && d.createdAt <= until)
    .filter((d) => metaFilters.every(([k, v]) => d.meta[k as string] === v))
    .filter((d) => !sha || d.meta.githubCommitSha === sha)
    .filter((d) => !branch || d.meta.githubCommitRef === branch)
    .map((d) => deploymentListItem(ctx.store, d))
    .filter((item) => rollbackCandidate === null || String(item.isRollbackCandidate) === rollbackCandidate)
    .sort((a, b) => Number(b.createdAt) - Number(a.createdAt));
  const page = all.slice(0, limit);
  const last = page.at(-1);
  return ok({
    deployments: page,
    pagination: {
      count: page.length,
      next: all.length > limit && last ? Number(last.createdAt) - 1 : null,
      prev: page[0] ? Number(page[0].createdAt) + 1 : null,
    },
  });
}

function aliasMove(type: 'promote' | 'rollback') {
  return (ctx: RouteContext): Reply => {
    const proj = project(ctx);
    const d = deployment(ctx, ctx.params.deploymentId ?? '');
    const problem = ctx.store.aliasMoveProblem(proj, d);
    if (problem) return apiError(400, problem.code, problem.message);
    if (type === 'promote' && proj.productionDeploymentId === d.id && !proj.autoAssignPaused) {
      return { status: 201 };
    }
    ctx.store.requestAliasMove(proj, d, type);
    return { status: 201 };
  };
}

const ENV_TYPES = new Set(['encrypted', 'plain', 'secret', 'sensitive', 'system']);
const ENV_TARGETS = new Set(['production', 'preview', 'development']);

function createEnvs(ctx: RouteContext): Reply {
  const proj = project(ctx);
  const body = json(ctx);
  const items = Array.isArray(body) ? body : [body];
  const upsert = ctx.query.get('upsert') === 'true';
  const created: Record<string, unknown>[] = [];
  const failed: Record<string, unknown>[] = [];
  for (const item of items) {
    if (!isRecord(item) || typeof item.key !== 'string' || typeof item.value !== 'string') {
      return refuse(400, 'bad_request', 'Each env var needs a string `key` and `value`');
    }
    const type = item.type ?? 'encrypted';
    if (typeof type !== 'string' || !ENV_TYPES.has(type)) refuse(400, 'bad_request', `Invalid type ${type}`);
    const targets = typeof item.target === 'string' ? [item.target] : item.target;
    if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string' && ENV_TARGETS.has(t))) {
      return refuse(400, 'bad_request', '`target` must list production, preview or development');
    }
    const gitBranch = typeof item.gitBranch === 'string' ? item.gitBranch : undefined;
    const clash = ctx.store.envClash(proj, item.key, gitBranch, targets);
    if (clash && !upsert) {
      const message = `A variable with the name \`${item.key}\` already exists for the target ${targets.join(', ')}`;
      const error = {
        code: 'ENV_ALREADY_EXISTS',
        message,
        key: item.key,
        envVarId: clash.id,
        target: targets,
      };
      if (!Array.isArray(body)) return { status: 400, body: { error } };
      failed.push({ error });
      continue;
    }
    const comment = typeof item.comment === 'string' ? item.comment : undefined;
    const fields = {
      key: item.key,
      value: item.value,
      type: type as EnvRecord['type'],
      target: targets,
      gitBranch,
    };
    created.push(envJson(ctx.store.putEnv(proj, { ...fields, comment }, clash), false));
  }
  return ok({ created: Array.isArray(body) ? created : created[0], failed }, 201);
}

function listEnvs(ctx: RouteContext): Reply {
  const proj = project(ctx);
  const decrypt = ctx.query.get('decrypt') === 'true';
  const target = ctx.query.get('target');
  const gitBranch = ctx.query.get('gitBranch');
  const envs = proj.envs
    .filter((e) => !target || e.target.includes(target))
    .filter((e) => !gitBranch || e.gitBranch === undefined || e.gitBranch === gitBranch)
    .map((e) => envJson(e, decrypt));
  return ok({ envs, pagination: { count: envs.length, next: null, prev: null } });
}

function getAlias(ctx: RouteContext): Reply {
  const ref = ctx.params.idOrAlias ?? '';
  for (const p of ctx.store.projects.values()) {
    if (p.ownerId === ctx.ownerId && (p.productionAliasUid === ref || p.productionDomain === ref)) {
      if (p.productionDeploymentId === null) break;
      return ok(aliasJson(ctx.store, p));
    }
  }
  return apiError(404, 'not_found', 'The alias was not found', { id: ref });
}

/** Alias statuses of the last promote/rollback: the SDK's v1 shape (alias as a string) or the CLI's v9 one. */
function aliasStatuses(shape: 'sdk' | 'cli') {
  return (ctx: RouteContext): Reply => {
    const p = project(ctx);
    const req = p.lastAliasRequest;
    const status = req?.jobStatus === 'succeeded' ? 'completed' : (req?.jobStatus ?? 'completed');
    const failedOnly = ctx.query.get('failedOnly') === 'true';
    const listed = req !== null && (!failedOnly || status === 'failed');
    const alias =
      shape === 'sdk' ? p.productionDomain : { alias: p.productionDomain, deploymentId: req?.toDeploymentId };
    const aliases = listed ? [{ alias, id: p.productionAliasUid, status }] : [];
    return ok({
      aliases,
      pagination: shape === 'sdk' ? { count: aliases.length, next: null, prev: null } : null,
    });
  };
}

const TEAM = (ctx: RouteContext): Reply =>
  ctx.params.teamId === ctx.ownerId
    ? ok({ id: ctx.ownerId, slug: 'sandbox', name: 'Sandbox', createdAt: 0, creatorId: 'user_sandbox' })
    : apiError(404, 'not_found', 'Team not found');

export const ROUTES: Route[] = [
  { method: 'POST', paths: ['/v2/files', '/v2/now/files'], handler: uploadFile },
  { method: 'POST', paths: ['/v13/deployments'], handler: createDeployment },
  { method: 'GET', paths: ['/v6/deployments', '/v7/deployments'], handler: listDeployments },
  {
    method: 'GET',
    paths: ['/v13/deployments/:idOrUrl'],
    handler: (ctx) => ok(deploymentJson(ctx.store, deployment(ctx, ctx.params.idOrUrl ?? ''))),
  },
  {
    method: 'GET',
    paths: ['/v2/deployments/:idOrUrl/events', '/v3/deployments/:idOrUrl/events'],
    handler: (ctx) => ok(eventsJson(deployment(ctx, ctx.params.idOrUrl ?? ''))),
  },
  {
    method: 'PATCH',
    paths: ['/v12/deployments/:idOrUrl/cancel'],
    handler: (ctx) => {
      const d = deployment(ctx, ctx.params.idOrUrl ?? '');
      if (!ctx.store.cancel(d)) {
        return apiError(
          400,
          'deployment_not_cancelable',
          `Deployment is ${d.readyState} and cannot be canceled`,
        );
      }
      return ok(deploymentJson(ctx.store, d));
    },
  },
  {
    method: 'GET',
    paths: ['/v2/deployments/:idOrUrl/aliases'],
    handler: (ctx) => {
      const d = deployment(ctx, ctx.params.idOrUrl ?? '');
      const p = ctx.store.projects.get(d.projectId);
      const aliases = p
        ? aliasesOf(ctx.store, d).map(() => {
            const a = aliasJson(ctx.store, p);
            return { uid: a.uid, alias: a.alias, created: a.created, redirect: null };
          })
        : [];
      return ok({ aliases });
    },
  },
  { method: 'GET', paths: ['/v4/aliases/:idOrAlias'], handler: getAlias },
  {
    method: 'POST',
    paths: ['/v10/projects', '/v11/projects'],
    handler: async (ctx) => {
      const body = json(ctx);
      if (!isRecord(body) || typeof body.name !== 'string')
        return refuse(400, 'bad_request', '`name` is required');
      if (ctx.store.findProject(ctx.ownerId, body.name)) {
        return apiError(409, 'conflict', `Project ${body.name} already exists`);
      }
      const framework = typeof body.framework === 'string' ? body.framework : null;
      return ok(projectJson(ctx.store, await ctx.store.createProject(ctx.ownerId, body.name, framework)));
    },
  },
  {
    method: 'GET',
    paths: ['/v9/projects/:idOrName'],
    handler: (ctx) => ok(projectJson(ctx.store, project(ctx))),
  },
  { method: 'GET', paths: ['/v9/projects/:idOrName/env', '/v10/projects/:idOrName/env'], handler: listEnvs },
  { method: 'POST', paths: ['/v10/projects/:idOrName/env'], handler: createEnvs },
  {
    method: 'GET',
    paths: ['/v1/projects/:idOrName/env/:envId'],
    handler: (ctx) => {
      const env = project(ctx).envs.find((e) => e.id === ctx.params.envId);
      return env ? ok(envJson(env, true)) : apiError(404, 'not_found', 'Environment variable not found');
    },
  },
  {
    method: 'POST',
    paths: ['/v10/projects/:projectId/promote/:deploymentId'],
    handler: aliasMove('promote'),
  },
  {
    method: 'POST',
    paths: [
      '/v1/projects/:projectId/rollback/:deploymentId',
      '/v9/projects/:projectId/rollback/:deploymentId',
    ],
    handler: aliasMove('rollback'),
  },
  { method: 'GET', paths: ['/v1/projects/:projectId/promote/aliases'], handler: aliasStatuses('sdk') },
  {
    method: 'GET',
    paths: ['/v9/projects/:projectId/promote/aliases', '/v9/projects/:projectId/rollback/aliases'],
    handler: aliasStatuses('cli'),
  },
  { method: 'GET', paths: ['/teams/:teamId', '/v2/teams/:teamId'], handler: TEAM },
  {
    method: 'GET',
    paths: ['/v2/user', '/www/user'],
    handler: () => ok({ user: { id: 'user_sandbox', username: 'sandbox' } }),
  },
];

interface CompiledRoute {
  method: string;
  regex: RegExp;
  names: string[];
  handler: Route['handler'];
}

const COMPILED: CompiledRoute[] = ROUTES.flatMap((r) =>
  r.paths.map((p) => {
    const names: string[] = [];
    const source = p.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { method: r.method, regex: new RegExp(`^${source}/?$`), names, handler: r.handler };
  }),
);

/** Runs the matching route; undefined when no route matches (the caller answers 404). */
export async function dispatch(
  method: string,
  path: string,
  ctx: Omit<RouteContext, 'params'>,
): Promise<Reply | undefined> {
  for (const route of COMPILED) {
    if (route.method !== method) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? '');
    });
    try {
      return await route.handler({ ...ctx, params });
    } catch (err) {
      if (err instanceof Refusal) return err.reply;
      throw err;
    }
  }
  return undefined;
}
