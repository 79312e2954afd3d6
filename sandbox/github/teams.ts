import { fail, ok, type Reply } from './http.js';
import type { GitHubState } from './state.js';

/**
 * `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: 200 with the role and state (active or
 * pending) of a member, 404 for anyone else, as GitHub answers. Org, slug and login are
 * case-insensitive there, so here too.
 */
export function teamMembership(state: GitHubState, path: string, origin: string): Reply | undefined {
  const m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const [org = '', slug = '', login = ''] = m.slice(1).map((p) => decodeURIComponent(p).toLowerCase());
  const member = state.teamMembers(org, slug).get(login);
  if (!member) return fail(404, 'Not Found');
  return ok({
    url: `${origin}/orgs/${org}/teams/${slug}/memberships/${login}`,
    role: member.role,
    state: member.state,
  });
}
