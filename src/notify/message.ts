import type { NOTIFY_PHASES, NOTIFY_RESULTS } from '../inputs/notify.js';

export type Phase = (typeof NOTIFY_PHASES)[number];
export type Result = (typeof NOTIFY_RESULTS)[number];

/** One stage's result, as the outcome lists it. */
export interface StageResult {
  name: string;
  result: string;
}

/**
 * What one phase of the communication plan says, whatever the channel: every renderer and template reads
 * these facts only, so a channel can never say something the others do not.
 */
export interface NotifyMessage {
  phase: Phase;
  environment: string;
  project: string;
  repository: string;
  runUrl: string;
  evidenceUrl: string;
  result: Result | '';
  stage: string;
  stages: StageResult[];
  message: string;
  /** ISO-8601 UTC; '' outside the notice. */
  scheduledFor: string;
  scheduledUntil: string;
  sha: string;
  actor: string;
  attempt: number;
}

const RESULT_WORDS: Record<Result, string> = {
  success: 'succeeded',
  failure: 'failed',
  cancelled: 'was cancelled',
  skipped: 'was skipped',
  'rolled-back': 'was rolled back',
  'rollback-incomplete': 'failed, and its rollback is incomplete',
};

/** The one-line headline of the phase: what stakeholders read first (Slack header, card title, incident name). */
export function titleOf(m: NotifyMessage): string {
  const what = `${m.project} to ${m.environment}`;
  switch (m.phase) {
    case 'notice':
      return `Scheduled maintenance: deploy of ${what} on ${m.scheduledFor.slice(0, 16).replace('T', ' ')} UTC`;
    case 'started':
      return `Deploy of ${what} started`;
    case 'approval-requested':
      return `Approval requested: deploy of ${what}`;
    case 'approved':
      return `Deploy of ${what} approved`;
    case 'stage':
      return `Deploy of ${what}: ${m.stage} ${m.result ? RESULT_WORDS[m.result] : ''}`.trim();
    case 'outcome':
      return `Deploy of ${what} ${m.result ? RESULT_WORDS[m.result] : 'ended'}`;
    case 'incident':
      return `Incident: ${m.project} in ${m.environment}`;
  }
}

/** The paragraph under the headline: what it means for the reader and what happens next. */
export function textOf(m: NotifyMessage): string {
  const extra = m.message ? ` ${m.message}` : '';
  switch (m.phase) {
    case 'notice':
      return `${m.project} (${m.environment}) will be deployed in the maintenance window from ${m.scheduledFor} to ${m.scheduledUntil}.${extra || ' No downtime is expected.'}`;
    case 'started':
      return `The gated deploy pipeline started: preflight and compliance checks run first.${extra}`;
    case 'approval-requested':
      return `Preflight and compliance passed. The reviewers of ${m.environment} are asked to approve; the evidence is on the run page.${extra}`;
    case 'approved':
      return `The reviewers approved. The backup is taken, then the migrations, deploy and validation run.${extra}`;
    case 'stage':
      return `Stage ${m.stage}: ${m.result || 'no result'}.${extra}`;
    case 'outcome':
      return `${outcomeText(m.result)}${extra}`;
    case 'incident':
      return `${m.message || 'An incident was detected during the deploy.'} The rollback runs now; updates follow.`;
  }
}

function outcomeText(result: Result | ''): string {
  switch (result) {
    case 'success':
      return 'The deploy succeeded and passed validation: systems operational.';
    case 'rolled-back':
      return 'The release failed its checks and was rolled back: the previous version serves again.';
    case 'rollback-incomplete':
      return 'The release failed and its rollback is incomplete: on-call is acting on the incident.';
    case 'failure':
      return 'The deploy failed. See the run for what failed and what was rolled back.';
    default:
      return result === 'cancelled'
        ? 'The deploy was cancelled: see the run for what ran.'
        : `The deploy ended: ${result || 'no result'}.`;
  }
}

/**
 * Statuspage's incident status for the phase: a maintenance (scheduled, in_progress, completed) around a
 * planned deploy, a realtime incident (investigating, identified, resolved) when it went wrong.
 */
export function statuspageStatus(m: NotifyMessage): string {
  switch (m.phase) {
    case 'notice':
      return 'scheduled';
    case 'incident':
      return 'investigating';
    case 'outcome':
      if (m.result === 'rolled-back') return 'resolved';
      if (m.result === 'failure' || m.result === 'rollback-incomplete') return 'identified';
      return 'completed';
    default:
      return 'in_progress';
  }
}

/** Statuspage's impact_override: how bad it is for the page's readers. */
export function impactOf(m: NotifyMessage): string {
  if (m.phase === 'notice') return 'maintenance';
  if (m.result === 'rollback-incomplete') return 'critical';
  if (m.phase === 'incident' || m.result === 'failure') return 'major';
  if (m.result === 'rolled-back') return 'minor';
  return 'none';
}

/**
 * The placeholders a template may use, `{{name}}`, each a plain string. Documented in
 * actions/notify/README.md; a template naming any other is refused before anything is sent.
 */
export function placeholders(m: NotifyMessage): Record<string, string> {
  return {
    phase: m.phase,
    title: titleOf(m),
    text: textOf(m),
    environment: m.environment,
    project: m.project,
    repository: m.repository,
    run_url: m.runUrl,
    evidence_url: m.evidenceUrl,
    result: m.result,
    stage: m.stage,
    stages: m.stages.map((s) => `${s.name}: ${s.result}`).join('\n'),
    message: m.message,
    scheduled_for: m.scheduledFor,
    scheduled_until: m.scheduledUntil,
    sha: m.sha.slice(0, 7),
    actor: m.actor,
    attempt: String(m.attempt),
    statuspage_status: statuspageStatus(m),
    impact: impactOf(m),
  };
}

export const PLACEHOLDER_NAMES = Object.keys(
  placeholders({
    phase: 'started',
    environment: '',
    project: '',
    repository: '',
    runUrl: '',
    evidenceUrl: '',
    result: '',
    stage: '',
    stages: [],
    message: '',
    scheduledFor: '',
    scheduledUntil: '',
    sha: '',
    actor: '',
    attempt: 1,
  }),
);
