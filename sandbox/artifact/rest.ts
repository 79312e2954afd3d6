/**
 * The two GitHub REST endpoints @actions/artifact uses for another run's artifacts (findBy with a
 * token): list a run's artifacts (optionally by name) and the zip download, a 302 to a signed URL.
 * REST sees every attempt of a run, where the internal service sees only the caller's attempt.
 */
import type { ServiceContext } from './context.js';
import { json, type Reply } from './http.js';
import { signBlobUrl } from './signed-url.js';
import type { ArtifactRecord } from './state.js';

const DOCS = 'https://docs.github.com/rest/actions/artifacts';

const fail = (status: number, message: string): Reply =>
  json(status, { message, documentation_url: DOCS, status: String(status) });

export function handleRest(
  ctx: ServiceContext,
  method: string,
  authorization: string | undefined,
  url: URL,
): Reply {
  const token = /^(?:token|bearer) (.+)$/i.exec(authorization ?? '')?.[1];
  if (token !== ctx.githubToken) return fail(401, 'Bad credentials');
  const m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/(?:runs\/(\d+)\/artifacts|artifacts\/(\d+)(\/zip)?)$/.exec(
    url.pathname,
  );
  if (method !== 'GET' || !m || `${m[1]}/${m[2]}`.toLowerCase() !== ctx.repository.toLowerCase()) {
    return fail(404, 'Not Found');
  }
  const finalized = [...ctx.state.artifacts.values()].filter((a) => a.finalized);
  if (m[3] !== undefined) {
    const runId = Number(m[3]);
    if (![...ctx.state.runs.values()].some((r) => r.runId === runId)) return fail(404, 'Not Found');
    const name = url.searchParams.get('name');
    const all = finalized.filter((a) => a.run.runId === runId && (name === null || a.name === name));
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, 100);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const artifacts = all.slice((page - 1) * perPage, page * perPage).map((a) => view(ctx, a));
    return json(200, { total_count: all.length, artifacts });
  }
  const artifact = finalized.find((a) => a.id === Number(m[4]));
  if (!artifact) return fail(404, 'Not Found');
  if (!m[5]) return json(200, view(ctx, artifact));
  if (artifact.expiresAt.getTime() <= ctx.now()) return fail(410, 'Artifact has expired');
  // GitHub's redirect is short-lived: a minute, whatever the service's own upload URLs get.
  const location = signBlobUrl(ctx.origin, ctx.key, artifact.blobPath, 'r', new Date(ctx.now() + 60_000));
  return { status: 302, headers: { location } };
}

function view(ctx: ServiceContext, a: ArtifactRecord): Record<string, unknown> {
  const api = `${ctx.origin}/repos/${ctx.repository}/actions/artifacts/${a.id}`;
  return {
    id: a.id,
    node_id: Buffer.from(`Artifact${a.id}`).toString('base64'),
    name: a.name,
    size_in_bytes: a.size ?? 0,
    url: api,
    archive_download_url: `${api}/zip`,
    expired: a.expiresAt.getTime() <= ctx.now(),
    digest: a.digest,
    created_at: a.createdAt.toISOString(),
    updated_at: a.createdAt.toISOString(),
    expires_at: a.expiresAt.toISOString(),
    workflow_run: {
      id: a.run.runId,
      repository_id: 1,
      head_repository_id: 1,
      head_branch: 'main',
      head_sha: '',
    },
  };
}
