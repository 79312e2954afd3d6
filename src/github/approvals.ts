import type { Octokit } from './octokit.js';
import { repoParams } from './octokit.js';

/** One entry of GitHub's review log of a run: who approved or rejected which environments, and why. */
export interface ApprovalReview {
  user: string;
  state: 'approved' | 'rejected' | 'pending';
  comment: string;
  environments: string[];
}

/** A job of the run that waited for the environment, with GitHub's times. */
export interface ApprovalJob {
  name: string;
  attempt: number;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

/** What GitHub records of a run's approvals, and GitHub's clock when it was read. */
export interface ApprovalRecord {
  /** Every review of the run, in GitHub's order. */
  reviews: ApprovalReview[];
  /** Jobs of every attempt named as the approval job. */
  jobs: ApprovalJob[];
  /** Jobs of every attempt named as one of the jobs that change something. */
  changes: ApprovalJob[];
  /** The Date header of GitHub's answer: GitHub's time, which no step of the workflow can move. */
  githubNow: string | undefined;
}

const asString = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Reads the run's review log (`GET /actions/runs/{run_id}/approvals`: environments, state, user, comment;
 * GitHub keeps no time there) and its jobs of every attempt (`GET /actions/runs/{run_id}/jobs?filter=all`),
 * whose times are GitHub's. A job in a called workflow is named "<caller job> / <job>".
 */
export async function readApprovalRecord(
  octokit: Octokit,
  repository: string,
  runId: number,
  jobName: string,
  changingJobs: readonly string[] = [],
): Promise<ApprovalRecord> {
  const params = { ...repoParams(repository), run_id: runId };
  const log = await octokit.rest.actions.getReviewsForRun(params);
  const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
    ...params,
    filter: 'all',
    per_page: 100,
  });
  return {
    reviews: log.data.map((r) => ({
      user: r.user?.login ?? '',
      state: r.state,
      comment: asString(r.comment),
      environments: (r.environments ?? []).map((e) => asString(e.name)),
    })),
    jobs: jobs.filter((j) => named(j.name, jobName)).map(approvalJob),
    changes: jobs.filter((j) => changingJobs.some((id) => named(j.name, id))).map(approvalJob),
    githubNow: dateHeader(log.headers.date),
  };
}

/** A job in a called workflow is named "<caller job> / <job>" by GitHub. */
const named = (name: string, id: string) => name === id || name.endsWith(` / ${id}`);

function approvalJob(j: {
  name: string;
  run_attempt?: number;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
}): ApprovalJob {
  return {
    name: j.name,
    attempt: j.run_attempt ?? 1,
    status: j.status,
    conclusion: j.conclusion ?? null,
    startedAt: j.started_at ?? null,
    completedAt: j.completed_at ?? null,
  };
}

function dateHeader(raw: unknown): string | undefined {
  const t = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
