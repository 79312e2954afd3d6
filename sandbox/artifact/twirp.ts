/**
 * github.actions.results.api.v1.ArtifactService over Twirp JSON, as @actions/artifact 6 calls it:
 * requests carry proto field names (snake_case, int64 as strings, wrappers as bare values), and
 * responses use them too (the library masks `signed_upload_url` / `signed_url` by those names).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceContext } from './context.js';
import { json, type Reply } from './http.js';
import { signBlobUrl } from './signed-url.js';
import { type ArtifactRecord, type RunRecord, sha256Digest } from './state.js';
import { type JobScope, verifyRuntimeToken } from './tokens.js';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';

const HTTP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500,
  unavailable: 503,
};

export class TwirpError extends Error {
  constructor(
    readonly code: keyof typeof HTTP_STATUS,
    message: string,
  ) {
    super(message);
  }
}

export const twirpError = (code: string, msg: string): Reply => json(HTTP_STATUS[code] ?? 500, { code, msg });

type Body = Record<string, unknown>;

/** protobuf JSON parsers accept the proto name and the lowerCamel name; so does the emulator. */
function field(body: Body, name: string): unknown {
  if (name in body) return body[name];
  return body[name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

function text(body: Body, name: string, required = true): string {
  const value = field(body, name);
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || (required && value === '')) {
    throw new TwirpError('invalid_argument', `${name} is required and must be a string`);
  }
  return value;
}

// The characters @actions/artifact refuses client-side; the service refuses them too.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
const BAD_NAME = /[":<>|*?\\/\r\n\u0000-\u001f]/;

export function handleTwirp(
  ctx: ServiceContext,
  verb: string,
  headers: IncomingHttpHeaders,
  method: string,
  raw: Buffer,
): Reply {
  try {
    if (verb !== 'POST')
      throw new TwirpError('bad_route', `unsupported method ${verb} (only POST is allowed)`);
    const type = (headers['content-type'] ?? '').split(';')[0]?.trim();
    if (type !== 'application/json') {
      throw new TwirpError(
        'bad_route',
        `unexpected Content-Type: "${type}" (the emulator speaks Twirp JSON only)`,
      );
    }
    const scope = authenticate(ctx, headers.authorization);
    let body: Body;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      throw new TwirpError('malformed', 'the request body is not valid JSON');
    }
    const run = runOf(ctx, scope, text(body, 'workflow_run_backend_id'));
    const handler = HANDLERS[method];
    if (!handler) throw new TwirpError('bad_route', `no handler for path "${TWIRP_PREFIX}${method}"`);
    return json(200, handler(ctx, scope, run, body));
  } catch (err) {
    if (err instanceof TwirpError) return twirpError(err.code, err.message);
    return twirpError('internal', (err as Error).message);
  }
}

function authenticate(ctx: ServiceContext, header: string | undefined): JobScope {
  const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (!token) throw new TwirpError('unauthenticated', 'missing bearer token');
  const scope = verifyRuntimeToken(ctx.key, token, ctx.now());
  if ('refused' in scope) throw new TwirpError('unauthenticated', scope.refused);
  return scope;
}

/** A token reaches only its own run attempt, whatever the request body names. */
function runOf(ctx: ServiceContext, scope: JobScope, runBackendId: string): RunRecord {
  if (runBackendId !== scope.runBackendId) {
    throw new TwirpError('permission_denied', 'the token does not grant access to this workflow run');
  }
  const run = ctx.state.runs.get(runBackendId);
  if (!run) throw new TwirpError('not_found', 'workflow run not found');
  return run;
}

function sameJob(scope: JobScope, body: Body): string {
  const job = text(body, 'workflow_job_run_backend_id');
  if (job !== scope.jobBackendId) {
    throw new TwirpError('permission_denied', 'the token does not grant access to this workflow job run');
  }
  return job;
}

const live = (ctx: ServiceContext, a: ArtifactRecord): boolean =>
  a.finalized && a.expiresAt.getTime() > ctx.now();

function finalizedByName(ctx: ServiceContext, run: RunRecord, name: string): ArtifactRecord {
  const found = ctx.state.byName(run.runBackendId, name).find((a) => live(ctx, a));
  if (!found) throw new TwirpError('not_found', 'artifact not found');
  return found;
}

type Handler = (ctx: ServiceContext, scope: JobScope, run: RunRecord, body: Body) => unknown;

const HANDLERS: Record<string, Handler> = {
  CreateArtifact(ctx, scope, run, body) {
    const jobBackendId = sameJob(scope, body);
    const name = text(body, 'name');
    if (BAD_NAME.test(name))
      throw new TwirpError('invalid_argument', `artifact name "${name}" contains a forbidden character`);
    const version = field(body, 'version');
    if (typeof version !== 'number' || version < 4) {
      throw new TwirpError('invalid_argument', 'version must be 4 or later (artifact v4 protocol)');
    }
    const now = ctx.now();
    const maxExpiry = now + ctx.maxRetentionDays * 86_400_000;
    const given = field(body, 'expires_at');
    let expiresAt = now + ctx.defaultRetentionDays * 86_400_000;
    if (given !== undefined) {
      expiresAt = typeof given === 'string' ? Date.parse(given) : Number.NaN;
      if (!Number.isFinite(expiresAt))
        throw new TwirpError('invalid_argument', 'expires_at is not an RFC 3339 timestamp');
      if (expiresAt <= now) throw new TwirpError('invalid_argument', 'expires_at must be in the future');
    }
    const existing = ctx.state.byName(run.runBackendId, name);
    if (existing.some((a) => live(ctx, a))) {
      throw new TwirpError('already_exists', 'an artifact with this name already exists on the workflow run');
    }
    // An upload that never finalized (a crashed step) is replaced, as a re-try of the step would need.
    for (const stale of existing) ctx.state.remove(stale);
    const id = ctx.state.nextId();
    const blobPath = `/blob/actions-results/${run.runBackendId}/${jobBackendId}/artifacts/${id}.zip`;
    ctx.state.artifacts.set(id, {
      id,
      name,
      run,
      jobBackendId,
      createdAt: new Date(now),
      expiresAt: new Date(Math.min(expiresAt, maxExpiry)),
      blobPath,
      finalized: false,
    });
    ctx.state.blobs.set(blobPath, { blocks: new Map() });
    const url = signBlobUrl(ctx.origin, ctx.key, blobPath, 'cw', new Date(now + ctx.signedUrlTtlMs));
    return { ok: true, signed_upload_url: url };
  },

  FinalizeArtifact(ctx, scope, run, body) {
    const jobBackendId = sameJob(scope, body);
    const name = text(body, 'name');
    const artifact = ctx.state
      .byName(run.runBackendId, name)
      .find((a) => !a.finalized && a.jobBackendId === jobBackendId);
    if (!artifact) throw new TwirpError('not_found', 'artifact not found or already finalized');
    const data = ctx.state.blobs.get(artifact.blobPath)?.data;
    if (!data) throw new TwirpError('failed_precondition', 'the artifact upload was never committed');
    const size = field(body, 'size');
    if (String(size ?? '0') !== String(data.length)) {
      throw new TwirpError(
        'invalid_argument',
        `size ${size} does not match the ${data.length} bytes uploaded`,
      );
    }
    const digest = sha256Digest(data);
    const hash = field(body, 'hash');
    if (hash !== undefined && hash !== digest) {
      throw new TwirpError(
        'invalid_argument',
        `hash ${String(hash)} does not match the uploaded content (${digest})`,
      );
    }
    Object.assign(artifact, { finalized: true, size: data.length, digest });
    return { ok: true, artifact_id: String(artifact.id) };
  },

  ListArtifacts(ctx, _scope, run, body) {
    const name = field(body, 'name_filter');
    const id = field(body, 'id_filter');
    const artifacts = [...ctx.state.artifacts.values()]
      .filter((a) => a.run === run && live(ctx, a))
      .filter((a) => name === undefined || a.name === name)
      .filter((a) => id === undefined || String(a.id) === String(id))
      .map((a) => ({
        workflow_run_backend_id: a.run.runBackendId,
        workflow_job_run_backend_id: a.jobBackendId,
        database_id: String(a.id),
        name: a.name,
        size: String(a.size ?? 0),
        created_at: a.createdAt.toISOString(),
        digest: a.digest,
      }));
    return { artifacts };
  },

  GetSignedArtifactURL(ctx, _scope, run, body) {
    const artifact = finalizedByName(ctx, run, text(body, 'name'));
    const expires = new Date(ctx.now() + ctx.signedUrlTtlMs);
    return { signed_url: signBlobUrl(ctx.origin, ctx.key, artifact.blobPath, 'r', expires) };
  },

  // The library names the uploading job here, not its own: any job of the run may delete.
  DeleteArtifact(ctx, _scope, run, body) {
    const artifact = finalizedByName(ctx, run, text(body, 'name'));
    ctx.state.remove(artifact);
    return { ok: true, artifact_id: String(artifact.id) };
  },
};
