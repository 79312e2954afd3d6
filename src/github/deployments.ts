import type { Octokit } from './octokit.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive' | 'error';

export interface GitHubDeployment {
  id: number;
  sha: string;
  environment: string;
  payload: Record<string, unknown>;
}

export interface DeploymentStatusInfo {
  state: string;
  environmentUrl: string;
}

function toDeployment(data: unknown): GitHubDeployment {
  const d = data as Record<string, unknown> | null;
  if (!d || !Number.isInteger(d.id) || typeof d.sha !== 'string' || typeof d.environment !== 'string') {
    throw new Error('GitHub answered with something that is not a deployment (no id, sha or environment)');
  }
  const payload =
    d.payload && typeof d.payload === 'object'
      ? (d.payload as Record<string, unknown>)
      : ({} as Record<string, unknown>);
  return { id: d.id as number, sha: d.sha, environment: d.environment, payload };
}

/**
 * The GitHub Deployments of one environment, as the deploy and the rollback keep them: one deployment
 * per workflow run (found again by the run id in its payload, so a re-run does not add another), its
 * statuses, and the retiring of earlier ones, which GitHub's auto_inactive does not do for production.
 */
export class GitHubDeployments {
  constructor(
    private readonly octokit: Octokit,
    private readonly repo: { owner: string; repo: string },
    readonly environment: string,
  ) {}

  async list(filter: { sha?: string } = {}): Promise<GitHubDeployment[]> {
    const all = await this.octokit.paginate(this.octokit.rest.repos.listDeployments, {
      ...this.repo,
      environment: this.environment,
      ...filter,
      per_page: 100,
    });
    return (all as unknown[]).map(toDeployment);
  }

  /** This run's deployment of `sha`, created the first time and found again on a re-run. */
  async forRun(sha: string, runId: string, payload: Record<string, unknown>, description: string) {
    const mine = (await this.list({ sha })).find((d) => d.payload.deployGatesRun === runId);
    if (mine) return { deployment: mine, created: false };
    const { data } = await this.octokit.rest.repos.createDeployment({
      ...this.repo,
      ref: sha,
      environment: this.environment,
      description,
      payload: { ...payload, deployGatesRun: runId },
      // The checks were judged by the preflight policy; GitHub need not judge them again or merge anything.
      auto_merge: false,
      required_contexts: [],
      production_environment: this.environment === 'production',
      transient_environment: false,
    });
    return { deployment: toDeployment(data), created: true };
  }

  /** Newest first. */
  async statuses(id: number, limit = 100): Promise<DeploymentStatusInfo[]> {
    const { data } = await this.octokit.rest.repos.listDeploymentStatuses({
      ...this.repo,
      deployment_id: id,
      per_page: limit,
    });
    return (data as unknown[]).map((item) => {
      const s = item as { state?: unknown; environment_url?: unknown } | null;
      if (typeof s?.state !== 'string')
        throw new Error('GitHub answered with a deployment status without a state');
      return {
        state: s.state,
        environmentUrl: typeof s.environment_url === 'string' ? s.environment_url : '',
      };
    });
  }

  async latestStatus(id: number): Promise<DeploymentStatusInfo | undefined> {
    return (await this.statuses(id, 1))[0];
  }

  /** The newest deployment before `id` that was once live (a success status), and its URL then. */
  async liveBefore(id: number): Promise<{ id: number; environmentUrl: string } | undefined> {
    for (const d of (await this.newest()).filter((d) => d.id < id)) {
      const success = (await this.statuses(d.id)).find((s) => s.state === 'success');
      if (success) return { id: d.id, environmentUrl: success.environmentUrl };
    }
    return undefined;
  }

  /** The newest page of the environment's deployments: older ones were retired by the deploys since. */
  private async newest(): Promise<GitHubDeployment[]> {
    const { data } = await this.octokit.rest.repos.listDeployments({
      ...this.repo,
      environment: this.environment,
      per_page: 30,
    });
    return (data as unknown[]).map(toDeployment);
  }

  async setStatus(
    id: number,
    state: DeploymentState,
    details: { description?: string; environmentUrl?: string; logUrl?: string } = {},
  ): Promise<void> {
    await this.octokit.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: id,
      state,
      description: (details.description ?? '').slice(0, 140),
      ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {}),
      ...(details.logUrl ? { log_url: details.logUrl } : {}),
      auto_inactive: false,
    });
  }

  /** Marks the other deployments of the environment whose latest status is success as inactive. */
  async retireOthers(current: number): Promise<number[]> {
    const retired: number[] = [];
    for (const d of await this.newest()) {
      if (d.id === current) continue;
      if ((await this.latestStatus(d.id))?.state !== 'success') continue;
      await this.setStatus(d.id, 'inactive', { description: `Replaced by deployment ${current}` });
      retired.push(d.id);
    }
    return retired;
  }
}
