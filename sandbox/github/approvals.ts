import { environmentId, environmentRef } from './environments.js';
import { fail, ok, type Route, type RouteContext } from './http.js';
import type { EmulatedRunApprovals, GitHubState } from './state.js';

const user = (login: string) => ({
  login,
  id: [...login].reduce((h, c) => h * 7 + c.charCodeAt(0), 3) % 1e8,
  type: 'User',
});

function runOf(ctx: RouteContext<GitHubState>): EmulatedRunApprovals | undefined {
  return ctx.state.repo(ctx.repo).approvals.get(Number(ctx.params[0]));
}

/**
 * A run's environment approvals as GitHub keeps them: `GET /actions/runs/{id}/pending_deployments` (who may
 * approve what), `POST` there to approve or reject (the token's user reviews; GitHub's body: environment_ids,
 * state, comment), the review log `GET /actions/runs/{id}/approvals` (environments, state, user, comment: no
 * time), and `GET /actions/runs/{id}/jobs`, whose `started_at` of the job that waited is the time GitHub
 * records for the approval. Times come from the emulator's clock.
 */
export const approvalRoutes: Route<GitHubState>[] = [
  {
    method: 'GET',
    path: /^\/actions\/runs\/(\d+)\/pending_deployments$/,
    handle(ctx) {
      const run = runOf(ctx);
      if (!run) return ok([]);
      return ok(
        [...run.pending.keys()].map((name) => {
          const env = ctx.state.repo(ctx.repo).environments.get(name);
          const reviewers = env?.reviewers ?? [];
          return {
            environment: environmentRef(ctx.origin, ctx.repo, name),
            wait_timer: env?.waitTimerMinutes ?? 0,
            wait_timer_started_at: null,
            current_user_can_approve: canReview(ctx, run, name),
            reviewers: reviewers.map((r) => ({
              type: r.type,
              reviewer: r.type === 'User' ? user(r.name) : { slug: r.name, name: r.name },
            })),
          };
        }),
      );
    },
  },
  {
    method: 'POST',
    path: /^\/actions\/runs\/(\d+)\/pending_deployments$/,
    handle(ctx) {
      const run = runOf(ctx);
      const { environment_ids: ids, state, comment } = ctx.body;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every(Number.isInteger))
        return fail(422, 'Invalid request.', [{ field: 'environment_ids', code: 'invalid' }]);
      if (state !== 'approved' && state !== 'rejected')
        return fail(422, 'Invalid request.', [{ field: 'state', code: 'invalid' }]);
      if (typeof comment !== 'string')
        return fail(422, 'Invalid request.', [{ field: 'comment', code: 'missing_field' }]);
      const names = [...(run?.pending.keys() ?? [])].filter((n) => ids.includes(environmentId(n)));
      if (!run || names.length !== ids.length)
        return fail(422, 'No pending deployment requests to approve or reject');
      if (!names.every((n) => canReview(ctx, run, n)))
        return fail(422, 'You are not allowed to approve or reject these deployments');
      const at = ctx.state.now().toISOString();
      run.reviews.push({ user: ctx.user, state, comment, environments: names });
      const deployments = names.map((name) => {
        const [waiting, ...rest] = run.pending.get(name) ?? [];
        const job = run.jobs.find((j) => j.name === waiting && j.status === 'waiting');
        if (rest.length > 0) run.pending.set(name, rest);
        else run.pending.delete(name);
        if (job && state === 'approved') Object.assign(job, { status: 'in_progress', started_at: at });
        if (job && state === 'rejected')
          Object.assign(job, { status: 'completed', conclusion: 'failure', completed_at: at });
        return {
          id: environmentId(name) + Number(ctx.params[0]),
          environment: name,
          created_at: at,
          updated_at: at,
        };
      });
      return ok(state === 'approved' ? deployments : []);
    },
  },
  {
    method: 'GET',
    path: /^\/actions\/runs\/(\d+)\/approvals$/,
    handle(ctx) {
      const run = runOf(ctx);
      return ok(
        (run?.reviews ?? []).map((r) => ({
          environments: r.environments.map((n) => environmentRef(ctx.origin, ctx.repo, n)),
          state: r.state,
          user: user(r.user),
          comment: r.comment,
        })),
      );
    },
  },
  {
    method: 'GET',
    path: /^\/actions\/runs\/(\d+)\/jobs$/,
    handle(ctx) {
      const run = runOf(ctx);
      const all = ctx.query.get('filter') === 'all';
      const jobs = run?.jobs ?? [];
      const latest = Math.max(0, ...jobs.map((j) => j.run_attempt));
      const listed = all ? jobs : jobs.filter((j) => j.run_attempt === latest);
      return ok({
        total_count: listed.length,
        jobs: listed.map((j) => ({
          ...j,
          run_id: Number(ctx.params[0]),
          head_sha: '',
          labels: ['ubuntu-latest'],
        })),
      });
    },
  },
];

/** A required reviewer of the environment, and not the run's author when self-review is prevented. */
function canReview(ctx: RouteContext<GitHubState>, run: EmulatedRunApprovals, name: string): boolean {
  const env = ctx.state.repo(ctx.repo).environments.get(name);
  if (!env || env.reviewers.length === 0) return true;
  if (env.preventSelfReview && ctx.user.toLowerCase() === run.actor.toLowerCase()) return false;
  return env.reviewers.some((r) => r.type === 'User' && r.name.toLowerCase() === ctx.user.toLowerCase());
}
