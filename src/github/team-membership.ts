import { InputError } from '../errors.js';
import type { MembershipLookup } from '../gate/approvers.js';
import { octokitFor } from './octokit.js';

/**
 * Team membership as GitHub answers `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: 200
 * with `state` active or pending, 404 when the user is not a member. Each (team, user) is asked once.
 * A token GitHub refuses is bad input; any other failure leaves the membership unknown, which never
 * approves.
 */
export async function teamMembershipLookup(
  token: string,
  apiUrl: string,
  input: string,
): Promise<MembershipLookup> {
  const octokit = await octokitFor(token, apiUrl);
  const asked = new Map<string, ReturnType<MembershipLookup>>();
  const ask: MembershipLookup = async (team, login) => {
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
        org: team.org,
        team_slug: team.slug,
        username: login,
      });
      return data.state === 'active' ? 'active' : 'pending';
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404) return 'none';
      if (status === 401 || status === 403) {
        throw new InputError(
          input,
          `GitHub answered ${status} to reading the members of @${team.org}/${team.slug}`,
          'Give a token that can read the organization\'s teams (a GitHub App token with "Members: read", or a PAT with read:org).',
        );
      }
      return { unknown: status === undefined ? 'GitHub did not answer' : `GitHub answered ${status}` };
    }
  };
  return (team, login) => {
    const key = `${team.org}/${team.slug}/${login}`;
    let answer = asked.get(key);
    if (!answer) {
      answer = ask(team, login);
      asked.set(key, answer);
    }
    return answer;
  };
}
