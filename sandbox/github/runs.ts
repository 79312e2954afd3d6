import { fail, ok, type Route } from './http.js';
import type { GitHubState } from './state.js';

const repository = (fullName: string) => ({
  full_name: fullName,
  name: fullName.split('/')[1],
  owner: { login: fullName.split('/')[0] },
});

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
      const { head_repository, ...fields } = run;
      return ok({
        ...fields,
        url: `${ctx.origin}${ctx.path}`,
        repository: repository(ctx.repo),
        head_repository: repository(head_repository ?? ctx.repo),
      });
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
