import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

/** How long one GitHub API request may take before the action stops waiting for it. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

type Fetch = typeof fetch;

/** `fetch` with a deadline per request, saying which request GitHub did not answer. */
function withDeadline(fetchImpl: Fetch, timeoutMs: number): Fetch {
  return async (url, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      return await fetchImpl(url, {
        ...init,
        signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
      });
    } catch (err) {
      if (!deadline.aborted) throw err;
      throw new Error(
        `GitHub did not answer ${init.method ?? 'GET'} ${String(url)} within ${timeoutMs / 1000} s`,
        { cause: err },
      );
    }
  };
}

/**
 * Octokit against the run's API URL (GitHub Enterprise Server, or the sandbox's emulator). Loaded only
 * when an action talks to GitHub. Octokit sets no deadline of its own, so a request GitHub holds would
 * hold the step until the job's limit: every request gets one, over the runner's proxy-aware fetch.
 */
export async function octokitFor(
  token: string,
  apiUrl: string,
  { timeoutMs = GITHUB_REQUEST_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  const plain = getOctokit(token, { baseUrl: apiUrl });
  const proxyFetch = (plain.request.endpoint.DEFAULTS.request?.fetch as Fetch | undefined) ?? fetch;
  return getOctokit(token, { baseUrl: apiUrl, request: { fetch: withDeadline(proxyFetch, timeoutMs) } });
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
