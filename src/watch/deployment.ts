import type { Octokit } from '../github/octokit.js';
import { recordedHorizons } from './horizons.js';

export interface WatchedStatus {
  state: string;
  description: string;
  environmentUrl: string;
  createdAt: string;
}

export interface WatchedDeployment {
  id: number;
  sha: string;
  payload: Record<string, unknown>;
  /** When its first success status was recorded: the deployment went live then. */
  liveSince: Date;
  environmentUrl: string;
  /** Newest first. */
  statuses: WatchedStatus[];
  /** GitHub's clock (the Date header of its answer): the watch measures elapsed time by it. */
  githubNow: Date;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The newest deployment of `environment` that went live (has a success status) and is still live (no
 * failure, error or inactive status after it but the watch's own markers: a deployment rolled back or
 * replaced is not watched), its statuses, and GitHub's clock. Undefined when there is none: the caller
 * fails, nothing measured is never a pass.
 */
export async function lastLiveDeployment(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  environment: string,
): Promise<WatchedDeployment | undefined> {
  const { data } = await octokit.rest.repos.listDeployments({ ...repo, environment, per_page: 30 });
  for (const d of data as unknown as Record<string, unknown>[]) {
    const id = Number(d.id);
    const answer = await octokit.rest.repos.listDeploymentStatuses({
      ...repo,
      deployment_id: id,
      per_page: 100,
    });
    const statuses: WatchedStatus[] = (answer.data as unknown as Record<string, unknown>[]).map((s) => ({
      state: str(s.state),
      description: str(s.description),
      environmentUrl: str(s.environment_url),
      createdAt: str(s.created_at),
    }));
    const successes = statuses.filter((s) => s.state === 'success');
    const first = successes.at(-1);
    if (!first) continue;
    // Rolled back (failure), failed (error) or replaced (inactive) since: not live, whatever the watch's
    // own markers (a failed horizon is recorded as failure too) say after it.
    const latest = statuses.find((s) => recordedHorizons([s.description]).size === 0);
    if (latest && latest.state !== 'success') continue;
    const date = Date.parse(String(answer.headers.date ?? ''));
    return {
      id,
      sha: str(d.sha),
      payload: d.payload && typeof d.payload === 'object' ? (d.payload as Record<string, unknown>) : {},
      liveSince: new Date(first.createdAt),
      environmentUrl: successes.find((s) => s.environmentUrl)?.environmentUrl ?? '',
      statuses,
      githubNow: Number.isNaN(date) ? new Date() : new Date(date),
    };
  }
  return undefined;
}
