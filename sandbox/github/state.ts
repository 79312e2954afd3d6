/** What the GitHub emulator keeps per repository, in memory. */

import type { EmulatedEnvironment } from './environments.js';

export interface EmulatedIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  created_at: string;
  updated_at: string;
}

export interface EmulatedDeploymentStatus {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  created_at: string;
}

export interface EmulatedDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string;
  payload: unknown;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  /** Newest first, as GitHub lists them. */
  statuses: EmulatedDeploymentStatus[];
}

export interface EmulatedPullRequest {
  number: number;
  title: string;
  /** The commits that belong to it: head and, once merged, the merge commit. */
  shas: string[];
  baseRef: string;
  merged: boolean;
}

export interface EmulatedReview {
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
}

export interface EmulatedCheckRun {
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
}

/** A workflow run as `GET /repos/{owner}/{repo}/actions/runs/{id}` describes it (the fields callers check). */
export interface EmulatedWorkflowRun {
  id: number;
  /** The workflow file, e.g. .github/workflows/deploy.yml. */
  path: string;
  event: string;
  head_branch: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  /** Where the run's code came from: another repository for a fork's pull request. Default the repository. */
  head_repository?: string;
  /** The run's number in its workflow; default its id. */
  run_number?: number;
  /** When it was created, GitHub's clock; default when the emulator recorded it. Runs are listed newest first. */
  created_at?: string;
}

/** A job of a workflow run as `GET /actions/runs/{id}/jobs` lists it (times are GitHub's). */
export interface EmulatedJob {
  id: number;
  run_attempt: number;
  name: string;
  status: 'queued' | 'waiting' | 'in_progress' | 'completed';
  conclusion: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** One entry of a run's review log (`GET /actions/runs/{id}/approvals`). */
export interface EmulatedApproval {
  user: string;
  state: 'approved' | 'rejected';
  comment: string;
  environments: string[];
}

/** What GitHub keeps of a run's environment approvals: who waits, who reviewed, its jobs. */
export interface EmulatedRunApprovals {
  /** The run's author: prevent-self-review refuses them. */
  actor: string;
  /**
   * Environment name → the jobs waiting for it, oldest first: approval is per job, so the runs of a matrix
   * waiting on one environment are each reviewed (a review releases the oldest).
   */
  pending: Map<string, string[]>;
  reviews: EmulatedApproval[];
  jobs: EmulatedJob[];
}

export interface RepoState {
  issues: EmulatedIssue[];
  deployments: EmulatedDeployment[];
  pulls: EmulatedPullRequest[];
  reviews: Map<number, EmulatedReview[]>;
  checkRuns: Map<string, EmulatedCheckRun[]>;
  commitStatuses: Map<string, { context: string; state: string }[]>;
  /** Branch → required status check contexts; a branch not here is not protected. */
  protections: Map<string, string[]>;
  environments: Map<string, EmulatedEnvironment>;
  runs: Map<number, EmulatedWorkflowRun>;
  /** Workflow file path → the id GitHub gives the workflow (the first run of a path names it). */
  workflows: Map<string, number>;
  approvals: Map<number, EmulatedRunApprovals>;
  /** Issue number → its comments, oldest first. */
  comments: Map<number, EmulatedComment[]>;
  /** `POST /actions/workflows/{workflow_id}/dispatches` received, oldest first. */
  dispatches: EmulatedDispatch[];
}

export interface EmulatedComment {
  id: number;
  body: string;
  created_at: string;
}

export interface EmulatedDispatch {
  /** The workflow id or file name as the request named it. */
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  at: string;
}

export interface EmulatedTeamMember {
  role: 'member' | 'maintainer';
  state: 'active' | 'pending';
}

export class GitHubState {
  private readonly repos = new Map<string, RepoState>();
  /** GitHub's clock: the times it records and its answers' Date header. The sandbox sets it. */
  now: () => Date = () => new Date();
  /** `org/slug` (lower case) → login (lower case) → membership. */
  private readonly teams = new Map<string, Map<string, EmulatedTeamMember>>();

  teamMembers(org: string, slug: string): Map<string, EmulatedTeamMember> {
    const key = `${org}/${slug}`.toLowerCase();
    let members = this.teams.get(key);
    if (!members) {
      members = new Map();
      this.teams.set(key, members);
    }
    return members;
  }
  private nextId = 1;

  repo(name: string): RepoState {
    let r = this.repos.get(name);
    if (!r) {
      r = {
        issues: [],
        deployments: [],
        pulls: [],
        reviews: new Map(),
        checkRuns: new Map(),
        commitStatuses: new Map(),
        protections: new Map(),
        environments: new Map(),
        runs: new Map(),
        workflows: new Map(),
        approvals: new Map(),
        comments: new Map(),
        dispatches: [],
      };
      this.repos.set(name, r);
    }
    return r;
  }

  id(): number {
    return this.nextId++;
  }
}
