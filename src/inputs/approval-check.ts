import { HOUR, type InputDeclarations } from '../runner/declared-inputs.js';

/**
 * approval-check's inputs, declared once: actions/approval-check/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const APPROVAL_CHECK_INPUTS = {
  'github-token': {
    kind: 'secret',
    secret: true,
    required: true,
    description:
      "Token that reads the run's review log and jobs (GET /actions/runs/{run_id}/approvals and /jobs): the job's github.token with `permissions: actions: read`. Masked.",
  },
  environment: {
    kind: 'text',
    default: 'production',
    description: 'The GitHub environment whose approval is checked.',
  },
  'approval-job': {
    kind: 'text',
    default: 'approve',
    description:
      'The id of the job that waited for the environment\'s approval (in a called workflow, GitHub names it "<caller job> / <job>"; either matches).',
  },
  'change-window': {
    kind: 'format',
    default: '02:00-06:00',
    description:
      "The maintenance window as HH:MM-HH:MM in the time zone below; the approval and GitHub's current time must both be inside it.",
  },
  timezone: {
    kind: 'format',
    default: 'America/Sao_Paulo',
    description: 'IANA time zone of the change window.',
  },
  'max-approval-age': {
    kind: 'duration',
    min: 60_000,
    max: 24 * HOUR,
    default: '4h',
    description:
      "How old the approval may be when the job starts (e.g. 4h, 90m; at most 24h), by GitHub's clock.",
  },
  'max-duration': {
    kind: 'duration',
    min: 60_000,
    max: 24 * HOUR,
    default: '4h',
    description:
      "The longest a deploy may take, counted from the first change: when GitHub started the first of changing-jobs. No job that changes something starts after it (e.g. 4h; at most 24h), by GitHub's record and clock.",
  },
  'changing-jobs': {
    kind: 'format',
    default: 'db\ndeploy',
    description:
      'The ids of the jobs that change something (one per line or comma separated; in a called workflow "<caller job> / <job>" matches too). The first of them that GitHub started opens max-duration; this job must be one of them.',
  },
  'sign-off': {
    kind: 'file',
    description:
      'Optional sign-off file (JSON or YAML): {"roles": [{"name", "environment"}], "selfApproval": false}. Each role must be approved through its own environment, by a person who signs no other role, and not by the run\'s author unless selfApproval is true; judged from GitHub\'s review log.',
  },
  'evidence-file': {
    kind: 'out',
    description:
      'Where to write the approval record (JSON). Default $RUNNER_TEMP/deploy-gates/approval-evidence-<step>.json.',
  },
} as const satisfies InputDeclarations;
