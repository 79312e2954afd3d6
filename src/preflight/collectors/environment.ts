import { repoClient } from '../../github/octokit.js';
import { isPlainObject, type JsonObject } from '../../util/deep-merge.js';

/**
 * How the environment that production jobs wait on is protected, as GitHub records it. GitHub creates an
 * environment the first time a job names it, with no protection at all, so an environment that exists
 * proves nothing: the approval is real only with required reviewers, and only an auditor's approval when
 * the person who started the run cannot approve it and only protected branches can deploy.
 */
export interface EnvironmentFacts {
  name: string;
  exists: boolean;
  /** Users and teams listed as required reviewers (GitHub lets any one of them approve). */
  reviewers: string[];
  requiredReviewers: number;
  preventSelfReview: boolean;
  waitTimerMinutes: number;
  /** all: any branch or tag may deploy; protected-branches or custom: restricted. */
  branchPolicy: 'all' | 'protected-branches' | 'custom';
  canAdminsBypass: boolean;
}

const asObject = (v: unknown): JsonObject => (isPlainObject(v) ? v : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The response read field by field: an answer of another shape counts as no protection, never as some. */
function readEnvironment(name: string, body: unknown): EnvironmentFacts {
  const data = asObject(body);
  const rules = asArray(data.protection_rules).map(asObject);
  const reviewRule = rules.find((r) => r.type === 'required_reviewers');
  const reviewers = asArray(reviewRule?.reviewers).map((r) => {
    const who = asObject(asObject(r).reviewer);
    return asString(who.login) ?? asString(who.slug) ?? asString(who.name) ?? '(unknown)';
  });
  const waitTimer = rules.find((r) => r.type === 'wait_timer')?.wait_timer;
  const branches = data.deployment_branch_policy === null ? null : asObject(data.deployment_branch_policy);
  return {
    name,
    exists: true,
    reviewers,
    requiredReviewers: reviewers.length,
    preventSelfReview: reviewRule?.prevent_self_review === true,
    waitTimerMinutes: typeof waitTimer === 'number' ? waitTimer : 0,
    branchPolicy:
      branches === null
        ? 'all'
        : branches.protected_branches === true
          ? 'protected-branches'
          : branches.custom_branch_policies === true
            ? 'custom'
            : 'all',
    canAdminsBypass: data.can_admins_bypass !== false,
  };
}

export async function collectEnvironment(
  token: string,
  apiUrl: string,
  repository: string,
  name: string,
): Promise<EnvironmentFacts> {
  const { octokit, owner, repo } = await repoClient(token, apiUrl, repository);
  try {
    const { data } = await octokit.rest.repos.getEnvironment({ owner, repo, environment_name: name });
    return readEnvironment(name, data);
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) return { ...UNPROTECTED, name, exists: false };
    if (status === 401 || status === 403)
      throw new Error(
        `GitHub refused to show the environment "${name}" (HTTP ${status}): give the job's token \`actions: read\``,
      );
    throw err;
  }
}

const UNPROTECTED: Omit<EnvironmentFacts, 'name' | 'exists'> = {
  reviewers: [],
  requiredReviewers: 0,
  preventSelfReview: false,
  waitTimerMinutes: 0,
  branchPolicy: 'all',
  canAdminsBypass: true,
};
