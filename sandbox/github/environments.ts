import { fail, ok, type Route } from './http.js';
import type { GitHubState } from './state.js';

/** An environment's protection as a repository admin set it; tests and the sandbox seed it. */
export interface EmulatedEnvironment {
  reviewers: { type: 'User' | 'Team'; name: string }[];
  preventSelfReview: boolean;
  waitTimerMinutes: number;
  /** null: any branch may deploy. */
  branchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  canAdminsBypass: boolean;
}

/** An environment's id, stable for its name. */
export const environmentId = (name: string) =>
  [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7);

/** An environment as GitHub embeds it in other answers (pending deployments, the review log). */
export const environmentRef = (origin: string, repo: string, name: string) => ({
  id: environmentId(name),
  node_id: `EN_${environmentId(name)}`,
  name,
  url: `${origin}/repos/${repo}/environments/${encodeURIComponent(name)}`,
  html_url: `https://github.com/${repo}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

/** `GET /repos/{owner}/{repo}/environments/{name}`: GitHub's shape, 404 for an environment never created. */
export const environmentRoutes: Route<GitHubState>[] = [
  {
    method: 'GET',
    path: /^\/environments\/([^/]+)$/,
    handle(ctx) {
      const name = decodeURIComponent(ctx.params[0] ?? '');
      const env = ctx.state.repo(ctx.repo).environments.get(name);
      if (!env) return fail(404, 'Not Found');
      const id = environmentId(name);
      const rules: unknown[] = [];
      if (env.reviewers.length > 0 || env.preventSelfReview)
        rules.push({
          id: id + 1,
          node_id: `GA_${id + 1}`,
          type: 'required_reviewers',
          prevent_self_review: env.preventSelfReview,
          reviewers: env.reviewers.map((r, i) => ({
            type: r.type,
            reviewer:
              r.type === 'User'
                ? { login: r.name, id: 1000 + i }
                : { slug: r.name, name: r.name, id: 2000 + i },
          })),
        });
      if (env.waitTimerMinutes > 0)
        rules.push({
          id: id + 2,
          node_id: `GA_${id + 2}`,
          type: 'wait_timer',
          wait_timer: env.waitTimerMinutes,
        });
      if (env.branchPolicy) rules.push({ id: id + 3, node_id: `GA_${id + 3}`, type: 'branch_policy' });
      return ok({
        id,
        node_id: `EN_${id}`,
        name,
        url: `${ctx.origin}/repos/${ctx.repo}/environments/${encodeURIComponent(name)}`,
        html_url: `https://github.com/${ctx.repo}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
        can_admins_bypass: env.canAdminsBypass,
        protection_rules: rules,
        deployment_branch_policy: env.branchPolicy,
      });
    },
  },
];
