import { evaluateChangeWindow, type WindowSpec } from '../compliance/change-window.js';
import type { ApprovalRecord, ApprovalReview } from '../github/approvals.js';
import { formatDuration } from '../runner/inputs.js';
import { judgeSignOff, type RoleSignature, type SignOff } from './sign-off.js';

export interface ApprovalLimits {
  environment: string;
  window: WindowSpec;
  timezone: string;
  /** How old the approval may be when a job that changes something starts. */
  maxAgeMs: number;
  /** How long after the first change no job that changes something may start. */
  maxDurationMs: number;
  /** The ids of the jobs that change something; the first one GitHub started is the first change. */
  changingJobs: readonly string[];
}

/** The approval as judged at the start of a job that changes something; `problems` empty means it holds. */
export interface ApprovalVerdict {
  environment: string;
  state: 'approved' | 'rejected' | 'missing';
  /** The reviews of this environment, in GitHub's order. */
  reviews: ApprovalReview[];
  /**
   * When GitHub completed the job that waited for the approval: the approval was given at or before it
   * (GitHub's review log keeps no time), within the seconds that job runs.
   */
  approvedBy?: string;
  approvedAtLocal?: string;
  /** GitHub's clock when the record was read. */
  githubNow?: string;
  githubNowLocal?: string;
  ageMinutes?: number;
  maxAgeMinutes: number;
  window: string;
  timezone: string;
  approvedInsideWindow?: boolean;
  nowInsideWindow?: boolean;
  maxDurationMinutes: number;
  /** The first of the changing jobs that GitHub started, by GitHub's record: max-duration counts from it. */
  firstChange?: { job: string; startedAt: string; startedAtLocal: string };
  /** The first change plus max-duration: no job that changes something starts after it. */
  deadline?: string;
  deadlineLocal?: string;
  deadlinePassed?: boolean;
  /** Changing jobs GitHub completed before this one: what is already changed, for the rollback decision. */
  changed: { job: string; attempt: number; conclusion: string | null }[];
  /** With a sign-off file: each role, who signed it, and whether self-approval was allowed. */
  signOff?: { file: string; selfApproval: boolean; roles: RoleSignature[] };
  problems: string[];
}

const MINUTE = 60_000;

/** An age as people read it: "5 h 3 min". */
function minutesText(ms: number): string {
  const minutes = Math.floor(ms / MINUTE);
  const h = Math.floor(minutes / 60);
  return h > 0 ? `${h} h ${minutes % 60} min` : `${minutes} min`;
}

/**
 * Judges GitHub's record: the environment approved (not rejected, not missing), by GitHub's clock the
 * approval inside the change window and younger than the limit, and GitHub's now still inside the window.
 * Every time is GitHub's; a time GitHub did not give fails closed.
 */
export function judgeApproval(
  record: ApprovalRecord,
  limits: ApprovalLimits,
  jobName: string,
  signOff?: { signOff: SignOff; authors: readonly string[] },
): ApprovalVerdict {
  const reviews = record.reviews.filter((r) => r.environments.includes(limits.environment));
  const rejected = reviews.find((r) => r.state === 'rejected');
  const approved = reviews.filter((r) => r.state === 'approved');
  const state = rejected ? 'rejected' : approved.length > 0 ? 'approved' : 'missing';
  const verdict: ApprovalVerdict = {
    environment: limits.environment,
    state,
    reviews,
    maxAgeMinutes: Math.round(limits.maxAgeMs / MINUTE),
    maxDurationMinutes: Math.round(limits.maxDurationMs / MINUTE),
    changed: record.changes
      .filter((j) => j.status === 'completed')
      .map((j) => ({ job: j.name, attempt: j.attempt, conclusion: j.conclusion })),
    window: limits.window.text,
    timezone: limits.timezone,
    problems: [],
  };
  const problems = verdict.problems;
  const judged = (at: Date) =>
    evaluateChangeWindow({
      window: limits.window,
      timezone: limits.timezone,
      now: at,
      expectedDurationMs: 0,
      maxDurationMs: 0,
    });
  /** One of GitHub's times against the change window; outside it is a problem that `says` the time. */
  const inWindow = (time: string, says: string) => {
    const at = judged(new Date(time));
    if (!at.inside)
      problems.push(
        `${says} ${at.localTime} in ${limits.timezone}, outside the change window ${limits.window.text}`,
      );
    return at;
  };
  if (rejected) {
    problems.push(
      `${limits.environment} was rejected by @${rejected.user}${rejected.comment ? ` ("${rejected.comment}")` : ''}`,
    );
  } else if (approved.length === 0) {
    problems.push(
      `GitHub has no approval of ${limits.environment} for this run: the job before this one ran without a reviewer's approval (is ${limits.environment} protected by required reviewers?)`,
    );
  }
  if (signOff) {
    const roles = judgeSignOff(signOff.signOff, record.reviews, signOff.authors);
    verdict.signOff = {
      file: signOff.signOff.display,
      selfApproval: signOff.signOff.selfApproval,
      roles: roles.roles,
    };
    problems.push(...roles.problems);
    if (roles.rejected) verdict.state = 'rejected';
  }
  if (record.githubNow) {
    const now = inWindow(record.githubNow, "GitHub's clock says");
    verdict.githubNow = record.githubNow;
    verdict.githubNowLocal = now.localTime;
    verdict.nowInsideWindow = now.inside;
  } else {
    problems.push("GitHub's answer carried no Date header, so the time cannot be judged");
  }
  judgeDeadline(verdict, record, limits, (at) => judged(at).localTime);
  if (verdict.state !== 'approved') return verdict;

  const done = record.jobs
    .filter((j) => j.completedAt && j.conclusion === 'success')
    .sort((a, b) => Date.parse(a.completedAt ?? '') - Date.parse(b.completedAt ?? ''))
    .at(-1);
  if (!done?.completedAt) {
    problems.push(
      `GitHub's record has no completed job "${jobName}" that waited for the approval, so its time is unknown`,
    );
    return verdict;
  }
  const at = inWindow(done.completedAt, 'it was approved at');
  verdict.approvedBy = done.completedAt;
  verdict.approvedAtLocal = at.localTime;
  verdict.approvedInsideWindow = at.inside;
  if (record.githubNow) {
    const ageMs = Date.parse(record.githubNow) - Date.parse(done.completedAt);
    verdict.ageMinutes = Math.max(0, Math.round(ageMs / MINUTE));
    if (ageMs > limits.maxAgeMs)
      problems.push(
        `the approval is ${minutesText(ageMs)} old, older than max-approval-age ${formatDuration(limits.maxAgeMs)}`,
      );
  }
  return verdict;
}

/**
 * The change window's maximum as a deadline from the first change: GitHub's start of the first changing
 * job (of any attempt: a re-run does not restart the clock) plus max-duration. No changing job starts
 * after it; the verdict lists what was already changed, which the rollback decision needs.
 */
function judgeDeadline(
  verdict: ApprovalVerdict,
  record: ApprovalRecord,
  limits: ApprovalLimits,
  localTime: (at: Date) => string,
): void {
  const first = record.changes
    .filter((j) => j.startedAt)
    .sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''))[0];
  if (!first?.startedAt) {
    verdict.problems.push(
      `GitHub's record has no started job among changing-jobs (${limits.changingJobs.join(', ')}), so the deploy's max-duration cannot be counted from the first change: this job must be one of them`,
    );
    return;
  }
  const deadline = new Date(Date.parse(first.startedAt) + limits.maxDurationMs);
  verdict.firstChange = {
    job: first.name,
    startedAt: first.startedAt,
    startedAtLocal: localTime(new Date(first.startedAt)),
  };
  verdict.deadline = deadline.toISOString();
  verdict.deadlineLocal = localTime(deadline);
  if (!record.githubNow) return;
  verdict.deadlinePassed = Date.parse(record.githubNow) > deadline.getTime();
  if (verdict.deadlinePassed) {
    const changed = verdict.changed.map((j) => `${j.job} (${j.conclusion ?? 'no result'})`).join(', ');
    verdict.problems.push(
      `the deploy's max-duration ${formatDuration(limits.maxDurationMs)} from the first change (${first.name}, started at ${verdict.firstChange.startedAtLocal} in ${limits.timezone}) ended at ${verdict.deadlineLocal}: no job that changes something starts after it. Already changed: ${changed || 'nothing'}`,
    );
  }
}
