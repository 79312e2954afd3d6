export interface ReviewFacts {
  sha: string;
  pullRequest: { number: number; url: string; title: string; baseRef: string } | null;
  /** Latest review per reviewer decides: an approval after changes requested counts as an approval. */
  approvedBy: string[];
  changesRequestedBy: string[];
  requiredChecks: { name: string; conclusion: string }[];
  requiredChecksPassed: boolean;
  branchProtected: boolean;
}

import { type Octokit, repoClient } from '../../github/octokit.js';

async function requiredContexts(
  octokit: Octokit,
  owner: string,
  repo: string,
  branch: string,
): Promise<string[] | null> {
  try {
    const { data } = await octokit.rest.repos.getStatusChecksProtection({ owner, repo, branch });
    return [...new Set([...(data.contexts ?? []), ...(data.checks ?? []).map((c) => c.context)])];
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

/** The pull request the commit came from, who approved it, and how its required checks concluded. */
export async function collectReview(
  token: string,
  apiUrl: string,
  repository: string,
  sha: string,
): Promise<ReviewFacts> {
  const { octokit, owner, repo } = await repoClient(token, apiUrl, repository);
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner,
    repo,
    commit_sha: sha,
  });
  const pr = pulls.find((p) => p.merged_at) ?? pulls[0];
  const latest = new Map<string, string>();
  if (pr) {
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
      owner,
      repo,
      pull_number: pr.number,
      per_page: 100,
    });
    for (const r of reviews) {
      const who = r.user?.login;
      // Comments do not change a reviewer's verdict; a dismissal withdraws it.
      if (!who || r.state === 'COMMENTED' || r.state === 'PENDING') continue;
      if (r.state === 'DISMISSED') latest.delete(who);
      else latest.set(who, r.state);
    }
  }
  const branch = pr?.base.ref ?? 'main';
  const contexts = await requiredContexts(octokit, owner, repo, branch);
  const checkRuns = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner,
    repo,
    ref: sha,
    per_page: 100,
  });
  const { data: combined } = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha });
  const conclusionOf = (name: string) =>
    checkRuns.find((c) => c.name === name)?.conclusion ??
    combined.statuses.find((s) => s.context === name)?.state ??
    'missing';
  const requiredChecks = (contexts ?? []).map((name) => ({
    name,
    conclusion: conclusionOf(name) ?? 'pending',
  }));
  return {
    sha,
    pullRequest: pr ? { number: pr.number, url: pr.html_url, title: pr.title, baseRef: branch } : null,
    approvedBy: [...latest].filter(([, s]) => s === 'APPROVED').map(([who]) => who),
    changesRequestedBy: [...latest].filter(([, s]) => s === 'CHANGES_REQUESTED').map(([who]) => who),
    requiredChecks,
    requiredChecksPassed: requiredChecks.every((c) =>
      ['success', 'neutral', 'skipped'].includes(c.conclusion),
    ),
    branchProtected: contexts !== null,
  };
}
