import { GITHUB_TOKEN_DEFAULT, HOUR, type InputDeclarations } from '../runner/declared-inputs.js';

/**
 * rollback's inputs, declared once: actions/rollback/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const ROLLBACK_INPUTS = {
  'vercel-token': {
    kind: 'secret',
    required: true,
    secret: true,
    description:
      'Vercel access token (a secret) allowed to promote and roll back deployments of the project.',
  },
  'vercel-project': { kind: 'text', required: true, description: 'Vercel project id or name.' },
  'vercel-team': {
    kind: 'text',
    default: '',
    description: 'Vercel team id (team_…) when the project belongs to a team. Empty for a personal account.',
  },
  'vercel-api-url': {
    kind: 'url',
    description:
      "Vercel API base URL (a proxy, or the sandbox emulator); empty for https://api.vercel.com. The same input as vercel-deploy's and preflight-check's.",
  },
  'api-url': {
    kind: 'url',
    description:
      'The older name of vercel-api-url, still read; giving both with different URLs is an input error.',
  },
  'previous-deployment-id': {
    kind: 'text',
    default: '',
    description:
      'The deployment to make production again (the previous-deployment-id output of vercel-deploy). Empty to use the newest READY production deployment created before the failed one.',
  },
  'failed-deployment-id': {
    kind: 'text',
    default: '',
    description:
      'The deployment being rolled back (the deployment-id output of vercel-deploy); its GitHub deployment is marked failed. Empty when unknown.',
  },
  'alias-timeout': {
    kind: 'duration',
    default: '5m',
    min: 1,
    max: 24 * HOUR,
    description:
      'How long to wait for the production domain to serve the restored deployment (e.g. 90s, 5m).',
  },
  'database-url': {
    kind: 'db-url',
    default: '',
    secret: true,
    description: 'Connection URL of the production database (a secret). Empty to leave the database alone.',
  },
  'backup-id': {
    kind: 'text',
    default: '',
    description: 'Id of the pre-deploy backup (the backup-id output of db-migrate-backup).',
  },
  'backup-location': {
    kind: 'format',
    default: '',
    description: 'Where the pre-deploy backup is (the backup-location output of db-migrate-backup).',
  },
  'backup-storage': {
    kind: 'enum',
    default: '',
    values: ['artifact', 'path'],
    description:
      'artifact or path, as for db-migrate-backup; empty to take it from backup-location (given, it must agree). The safety backup taken before a restore goes to the same store.',
  },
  'encryption-key': {
    kind: 'format',
    default: '',
    secret: true,
    description:
      "The passphrase db-migrate-backup encrypted the backup with (a secret; its encryption-key). The safety backup is encrypted with it too, or to the pre-deploy backup's recipients. Never an age public key (age1…), which cannot decrypt.",
  },
  'backup-identity': {
    kind: 'format',
    default: '',
    secret: true,
    description:
      "age identity file (AGE-SECRET-KEY-1…, a secret) that decrypts a backup encrypted to backup-recipients; db-migrate-backup's backup-identity. Every line of it is masked.",
  },
  'restore-database': {
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'always', 'never'],
    description:
      "auto: restore only when this run applied migrations (migrations-applied, else the backup manifest's migration state against the database); always; never.",
  },
  'migrations-applied': {
    kind: 'format',
    default: '',
    description:
      'The migrations-applied output of db-migrate-backup (true/false, a count or a JSON list). Empty to decide from the backup manifest.',
  },
  'allow-data-loss': {
    kind: 'bool',
    default: 'false',
    description:
      'When rows were written after the pre-deploy backup, restore anyway (they stay in the safety backup). Default false stops before restoring and names the tables.',
  },
  'timestamp-columns': {
    kind: 'format',
    default: 'updated_at,created_at',
    description:
      'Columns whose values newer than the backup also mark a row as written after it (comma or newline separated); every table is checked by transaction id whatever its columns.',
  },
  hooks: {
    kind: 'command',
    default: '',
    description:
      'Commands to run after the database step, one per line (e.g. kubectl rollout undo deployment/neonpro-web). Run without a shell; quoting rules are in the README. A re-run skips hooks that already finished.',
  },
  'verify-url': {
    kind: 'url',
    default: '',
    description:
      'The production domain to check after the rollback (an origin, e.g. https://neonpro.healthcare; check paths are appended). Empty to skip the check.',
  },
  'verify-api-url': {
    kind: 'url',
    default: '',
    description:
      'The API host users reach (e.g. https://api.neonpro.healthcare); its /health is verified too. Needs verify-url.',
  },
  checks: {
    kind: 'file',
    default: '',
    description:
      'Checks for the verify pass, as for post-validate. Empty for the default health check (GET /health, body status ok, healthy, pass or up).',
  },
  'github-token': {
    kind: 'secret',
    default: GITHUB_TOKEN_DEFAULT,
    secret: true,
    description: 'Token for the incident issue and the deployment status (issues write, deployments write).',
  },
  'github-environment': {
    kind: 'text',
    default: 'production',
    description: 'The GitHub environment of github-deployment-id.',
  },
  'github-deployment-id': {
    kind: 'int',
    default: '',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    description:
      'The GitHub Deployment of the failed release (output github-deployment-id of vercel-deploy). It is marked failure, and the one live before it success again. Empty to leave GitHub deployments alone.',
  },
  incident: {
    kind: 'format',
    default: '',
    description:
      'Number or URL of an existing incident issue to update. Empty to open one (labelled incident) or update the one an earlier attempt of this run opened.',
  },
  'notify-webhook': {
    kind: 'url',
    default: '',
    secret: true,
    description:
      'Webhook URL (a secret) that gets a Slack-compatible JSON message for stakeholders. Empty for none.',
  },
  reason: {
    kind: 'format',
    default: '',
    description: 'Why the rollback happens; goes into the incident, the notification and the summary.',
  },
} as const satisfies InputDeclarations;
