import { fail, ok, page, type Route, type RouteContext } from './http.js';
import type { EmulatedPullRequest, GitHubState } from './state.js';

type Ctx = RouteContext<GitHubState>;

const pullView = (ctx: Ctx, p: EmulatedPullRequest) => ({
  id: p.number * 100,
  number: p.number,
  state: p.merged ? 'closed' : 'open',
  title: p.title,
  html_url: `https://github.com/${ctx.repo}/pull/${p.number}`,
  url: `${ctx.origin}/repos/${ctx.repo}/pulls/${p.number}`,
  merged_at: p.merged ? '2026-01-01T00:00:00Z' : null,
  head: { sha: p.shas[0], ref: `feature-${p.number}` },
  base: { ref: p.baseRef },
});

/**
 * What a change's review record is made of: the pull requests a commit belongs to, their reviews, the
 * commit's check runs and statuses, and the base branch's required status checks (404 "Branch not
 * protected" when it has none, as GitHub answers).
 */
export const reviewRoutes: Route<GitHubState>[] = [
  {
    method: 'GET',
    path: /^\/commits\/([^/]+)\/pulls$/,
    handle(ctx) {
      const sha = ctx.params[0] ?? '';
      return ok(
        ctx.state
          .repo(ctx.repo)
          .pulls.filter((p) => p.shas.includes(sha))
          .map((p) => pullView(ctx, p)),
      );
    },
  },
  {
    method: 'GET',
    path: /^\/pulls\/(\d+)\/reviews$/,
    handle(ctx) {
      const n = Number(ctx.params[0]);
      const repo = ctx.state.repo(ctx.repo);
      const pr = repo.pulls.find((p) => p.number === n);
      if (!pr) return fail(404, 'Not Found');
      const reviews = (repo.reviews.get(n) ?? []).map((r, k) => ({
        id: n * 1000 + k,
        user: { login: r.user, type: 'User' },
        state: r.state,
        commit_id: pr.shas[0],
        submitted_at: new Date(Date.UTC(2026, 0, 1, 0, k)).toISOString(),
        html_url: `https://github.com/${ctx.repo}/pull/${n}#pullrequestreview-${k}`,
      }));
      return page(ctx, reviews);
    },
  },
  {
    method: 'GET',
    path: /^\/commits\/([^/]+)\/check-runs$/,
    handle(ctx) {
      const runs = (ctx.state.repo(ctx.repo).checkRuns.get(ctx.params[0] ?? '') ?? []).map((c, k) => ({
        id: k + 1,
        name: c.name,
        status: c.status,
        conclusion: c.conclusion,
        head_sha: ctx.params[0],
      }));
      return page(ctx, runs, (slice) => ({ total_count: runs.length, check_runs: slice }));
    },
  },
  {
    method: 'GET',
    path: /^\/commits\/([^/]+)\/status$/,
    handle(ctx) {
      const statuses = ctx.state.repo(ctx.repo).commitStatuses.get(ctx.params[0] ?? '') ?? [];
      const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : statuses.every((s) => s.state === 'success') && statuses.length > 0
          ? 'success'
          : 'pending';
      return ok({
        state,
        sha: ctx.params[0],
        total_count: statuses.length,
        statuses: statuses.map((s, k) => ({ id: k + 1, context: s.context, state: s.state })),
      });
    },
  },
  {
    method: 'GET',
    path: /^\/branches\/([^/]+)\/protection\/required_status_checks$/,
    handle(ctx) {
      const contexts = ctx.state.repo(ctx.repo).protections.get(decodeURIComponent(ctx.params[0] ?? ''));
      if (!contexts) return fail(404, 'Branch not protected');
      return ok({
        url: `${ctx.origin}${ctx.path}`,
        strict: true,
        contexts,
        checks: contexts.map((context) => ({ context, app_id: null })),
      });
    },
  },
];
