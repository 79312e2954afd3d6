import { fail, ok, page, type Reply, type Route, type RouteContext } from './http.js';
import type { EmulatedWorkflowRun, GitHubState } from './state.js';

const repository = (fullName: string) => ({
  full_name: fullName,
  name: fullName.split('/')[1],
  owner: { login: fullName.split('/')[0] },
});

/** A run as GitHub's run endpoints show it. */
function runView(ctx: RouteContext<GitHubState>, run: EmulatedWorkflowRun) {
  const { head_repository, ...fields } = run;
  const workflowId = ctx.state.repo(ctx.repo).workflows.get(run.path);
  const api = `${ctx.origin}/repos/${ctx.repo}/actions/runs/${run.id}`;
  return {
    ...fields,
    run_number: run.run_number ?? run.id,
    workflow_id: workflowId,
    url: api,
    html_url: `https://github.com/${ctx.repo}/actions/runs/${run.id}`,
    artifacts_url: `${api}/artifacts`,
    repository: repository(ctx.repo),
    head_repository: repository(head_repository ?? ctx.repo),
  };
}

/** GitHub's `status` filter takes a status or a conclusion. */
const STATUSES = new Set(['queued', 'in_progress', 'completed', 'requested', 'waiting', 'pending']);

/**
 * A workflow's runs, newest first, as `GET /actions/workflows/{workflow_id}/runs` lists them: the workflow
 * by its file name or id (404 for one the repository does not have), filtered by head_sha, status (a status
 * or a conclusion), branch and event, one page of per_page.
 */
function listWorkflowRuns(ctx: RouteContext<GitHubState>): Reply {
  const r = ctx.state.repo(ctx.repo);
  const key = decodeURIComponent(ctx.params[0] ?? '');
  const path = [...r.workflows].find(
    ([p, id]) => String(id) === key || p.slice(p.lastIndexOf('/') + 1) === key,
  )?.[0];
  if (!path) return fail(404, 'Not Found');
  const q = ctx.query;
  const status = q.get('status');
  const runs = [...r.runs.values()]
    .filter(
      (run) =>
        run.path === path &&
        (!q.get('head_sha') || run.head_sha === q.get('head_sha')) &&
        (!q.get('branch') || run.head_branch === q.get('branch')) &&
        (!q.get('event') || run.event === q.get('event')) &&
        (!status || (STATUSES.has(status) ? run.status === status : run.conclusion === status)),
    )
    .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? '') || b.id - a.id);
  return page(ctx, runs, (slice) => ({
    total_count: runs.length,
    workflow_runs: slice.map((run) => runView(ctx, run)),
  }));
}

/**
 * A workflow run and a branch, as rollback.yml checks a deploy record's origin: `GET /actions/runs/{id}`
 * (workflow path, event, branch, status, conclusion, repositories) and `GET /branches/{branch}` (`protected`).
 */
export const runRoutes: Route<GitHubState>[] = [
  {
    method: 'GET',
    path: /^\/actions\/runs\/(\d+)$/,
    handle(ctx) {
      const run = ctx.state.repo(ctx.repo).runs.get(Number(ctx.params[0]));
      if (!run) return fail(404, 'Not Found');
      return ok(runView(ctx, run));
    },
  },
  { method: 'GET', path: /^\/actions\/workflows\/([^/]+)\/runs$/, handle: listWorkflowRuns },
  {
    // As GitHub: 204 No Content; the run it starts is not emulated, the request is recorded.
    method: 'POST',
    path: /^\/actions\/workflows\/([^/]+)\/dispatches$/,
    handle(ctx) {
      const ref = ctx.body.ref;
      if (typeof ref !== 'string' || !ref) return fail(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
      const inputs = (ctx.body.inputs ?? {}) as Record<string, unknown>;
      ctx.state.repo(ctx.repo).dispatches.push({
        workflow: decodeURIComponent(ctx.params[0] ?? ''),
        ref,
        inputs,
        at: ctx.state.now().toISOString(),
      });
      return { status: 204, body: undefined };
    },
  },
  {
    method: 'GET',
    path: /^\/branches\/([^/]+)$/,
    handle(ctx) {
      const name = decodeURIComponent(ctx.params[0] ?? '');
      const protectedBranch = ctx.state.repo(ctx.repo).protections.has(name);
      return ok({ name, protected: protectedBranch });
    },
  },
];
