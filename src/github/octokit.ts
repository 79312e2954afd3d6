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

/** `owner/name` as Octokit's route parameters. */
export function repoParams(repository: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = repository.split('/');
  return { owner, repo };
}
