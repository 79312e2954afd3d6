import { HOUR, type InputDeclarations } from '../runner/declared-inputs.js';

/** The phases of the playbook's communication plan the notify action announces (src/notify/phases.ts). */
export const NOTIFY_PHASES = [
  'notice',
  'started',
  'approval-requested',
  'approved',
  'stage',
  'outcome',
  'incident',
] as const;

/** How a stage or the whole deploy ended, as the message says it. */
export const NOTIFY_RESULTS = [
  'success',
  'failure',
  'cancelled',
  'skipped',
  'rolled-back',
  'rollback-incomplete',
] as const;

/**
 * notify's inputs, declared once: actions/notify/action.yml and the README's input table are checked
 * against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const NOTIFY_INPUTS = {
  phase: {
    kind: 'enum',
    required: true,
    values: NOTIFY_PHASES,
    description: `Which message of the communication plan to send: ${NOTIFY_PHASES.join(', ')}.`,
  },
  channels: {
    kind: 'file',
    description:
      "The channels file in the repository (JSON or YAML): which channels get this phase, and each channel's template file. Empty: nothing is sent. See the README for its format.",
  },
  'slack-webhook': {
    kind: 'url',
    secret: true,
    description: 'Slack incoming webhook URL (a secret); required when the channels file lists slack.',
  },
  'teams-webhook': {
    kind: 'url',
    secret: true,
    description:
      'Microsoft Teams webhook URL (a Workflows "post to a channel when a webhook request is received" URL; a secret); required when the channels file lists teams.',
  },
  'webhook-url': {
    kind: 'url',
    secret: true,
    description:
      'URL (a secret) that gets the message as generic JSON, e.g. an e-mail, SMS or in-app gateway; required when the channels file lists webhook.',
  },
  'statuspage-api-key': {
    kind: 'secret',
    secret: true,
    description:
      'Atlassian Statuspage API key (a secret; sent as `Authorization: OAuth <key>`); required when the channels file lists statuspage.',
  },
  'statuspage-page-id': {
    kind: 'secret',
    secret: true,
    description: 'The Statuspage page id; required when the channels file lists statuspage. Masked.',
  },
  'statuspage-api-url': {
    kind: 'url',
    default: 'https://api.statuspage.io',
    description: 'Statuspage API base URL (a proxy, or the sandbox receiver).',
  },
  environment: {
    kind: 'text',
    default: 'production',
    description: 'The environment being deployed, as the messages name it.',
  },
  project: {
    kind: 'text',
    default: '',
    description: 'The project being deployed, as the messages name it. Empty for the repository name.',
  },
  result: {
    kind: 'enum',
    default: '',
    values: NOTIFY_RESULTS,
    description: `How the stage (phase stage) or the deploy (phase outcome) ended: ${NOTIFY_RESULTS.join(', ')}. Required for those two phases.`,
  },
  stage: {
    kind: 'text',
    default: '',
    description: 'The stage whose result phase stage announces (e.g. db, deploy, validate).',
  },
  'stage-results': {
    kind: 'format',
    default: '',
    description:
      "Each stage's result, one `name=result` per line (e.g. `db=success`), listed in the message; results as for result, or a job's result (success, failure, cancelled, skipped).",
  },
  'evidence-url': {
    kind: 'url',
    default: '',
    description: 'Link to the evidence (the run page, an artifact, a report); default the run page.',
  },
  message: {
    kind: 'format',
    default: '',
    description:
      "One line added to the message: the expected impact (notice), the incident's nature (incident), a reason (outcome). At most 1000 characters.",
  },
  'scheduled-for': {
    kind: 'format',
    default: '',
    description:
      'When the maintenance window opens, ISO-8601 with a zone (e.g. 2026-03-11T05:00:00Z); required for phase notice.',
  },
  'maintenance-duration': {
    kind: 'duration',
    default: '4h',
    min: 60_000,
    max: 24 * HOUR,
    description: 'How long the announced window lasts (e.g. 4h, 90m; at most 24h).',
  },
  attempts: {
    kind: 'int',
    default: '4',
    min: 1,
    max: 10,
    description:
      'Attempts per channel, the first included: a 429 or 5xx is retried with back-off, after the Retry-After the service asks for (at most 10 s).',
  },
} as const satisfies InputDeclarations;
