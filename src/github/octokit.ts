import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

/**
 * Octokit against the run's API URL (GitHub Enterprise Server, or the sandbox's emulator). Loaded only
 * when an action talks to GitHub.
 */
export async function octokitFor(token: string, apiUrl: string): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, { baseUrl: apiUrl });
}

/** Octokit and the route parameters of one repository, for code that reads only that repository. */
export async function repoClient(
  token: string,
  apiUrl: string,
  repository: string,
): Promise<{ octokit: Octokit; owner: string; repo: string }> {
  return { octokit: await octokitFor(token, apiUrl), ...repoParams(repository) };
}

/** `owner/name` as Octokit's route parameters. */
export function repoParams(repository: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = repository.split('/');
  return { owner, repo };
}
