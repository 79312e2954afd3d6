import { HOUR, type InputDeclarations } from '../runner/declared-inputs.js';
import { GATE_DECISION_INPUTS, GATE_REPORT_INPUTS } from './gate-decision.js';
import { WAIVER_APPROVER_INPUTS } from './waiver-approvers.js';

/**
 * preflight-check's inputs, declared once: actions/preflight-check/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const PREFLIGHT_CHECK_INPUTS = {
  endpoints: {
    kind: 'url-list',
    description:
      'Staging health endpoints, one name=url per line; each must answer expect-status with a body that meets expect-json. Required by builtin:preflight (missing, the gate fails).',
  },
  'monitoring-endpoints': {
    kind: 'url-list',
    description:
      'Dashboards and alerting, one name=url per line, probed like endpoints. Required by builtin:preflight.',
  },
  'expect-status': {
    kind: 'format',
    default: '2xx',
    description: 'Statuses or classes that count as healthy, comma separated.',
  },
  'expect-json': {
    kind: 'format',
    description:
      'What a staging health endpoint\'s JSON body must say, as a post-validate check\'s expect.json: JSON Pointer → {"equals": value} or {"schema": {...}}. Default the platform\'s health shape, /status one of ok, OK, healthy, pass, up, UP; {} judges the status only. Monitoring endpoints are judged by status.',
  },
  timeout: {
    kind: 'duration',
    default: '10s',
    min: 1,
    max: 24 * HOUR,
    description: 'Per request (and per TLS handshake and database query).',
  },
  retries: {
    kind: 'int',
    default: '2',
    min: 0,
    max: 10,
    description: 'Retries of a probe that got no answer or a 5xx, with exponential backoff.',
  },
  'tls-hosts': {
    kind: 'format',
    description:
      'Hosts (or host:port) whose certificates are checked, one per line. Required by builtin:preflight.',
  },
  'tls-min-days': {
    kind: 'int',
    default: '14',
    min: 0,
    max: 3650,
    description: 'Days a certificate must still be valid.',
  },
  'database-url': {
    kind: 'db-url',
    secret: true,
    description:
      'PostgreSQL URL of the production database (a secret; masked, password never printed). Enables the database collector. Required by builtin:preflight.',
  },
  'coverage-file': {
    kind: 'file',
    description: 'lcov, istanbul coverage-summary.json or Cobertura XML. Required by builtin:preflight.',
  },
  'sarif-files': {
    kind: 'files',
    description: 'SARIF files or globs of the security scans, one per line. Required by builtin:preflight.',
  },
  'reports-workflow': {
    kind: 'text',
    description:
      "The CI workflow (its file name, e.g. ci.yml, or its id) whose newest successful run for the commit being deployed uploaded the reports; with reports-artifact, coverage-file and sarif-files are read inside that run's artifact instead of the workspace. Needs github-token (actions read).",
  },
  'reports-artifact': {
    kind: 'text',
    description:
      'The artifact of that run holding the reports, e.g. reports (the name its upload-artifact step gave). Set with reports-workflow.',
  },
  'github-token': {
    kind: 'secret',
    secret: true,
    description:
      'Token to read the pull request, its reviews and required checks of the commit being deployed (pull-requests, checks and statuses read), and how protected-environment is protected (actions read). Required by builtin:preflight.',
  },
  'protected-environment': {
    kind: 'text',
    default: 'production',
    description:
      'The GitHub environment that production jobs wait on for approval. With github-token, preflight reads its protection (required reviewers, prevent self-review, branch restriction), which builtin:preflight requires; empty to not check it.',
  },
  'vercel-token': {
    kind: 'secret',
    secret: true,
    description: "Vercel token (a secret) to list the project's production environment variable names.",
  },
  'vercel-project': { kind: 'text', description: 'Vercel project name or id.' },
  'vercel-team': { kind: 'text', description: 'Vercel team id or slug.' },
  'vercel-api-url': {
    kind: 'url',
    description: "Vercel API base URL; empty for https://api.vercel.com. The same input as vercel-deploy's.",
  },
  'required-env': {
    kind: 'format',
    description: "Variable names that must exist for production. Default the operations guide's list.",
  },
  'backup-manifest': {
    kind: 'file',
    description:
      'The backup manifest db-migrate-backup wrote (path or URL), or a JSON array of them: the newest verified backup must be at most 24 h old and the newest restore test (verify: restore) at most 31 days old. This or backup-drills is required by builtin:preflight.',
  },
  'backup-drills': {
    kind: 'text',
    description:
      "Your workflow (its file name, e.g. backup-drill.yml) that calls deploy-gates' backup-drill.yml on a schedule: the manifests its successful runs uploaded (artifact deploy-gates-backup-drill) join backup-manifest's, for the newest verified backup (at most 24 h old) and the newest restore test (at most 31 days old). Needs github-token (actions read).",
  },
  'security-incidents-url': {
    kind: 'url',
    description:
      'The platform\'s recent security incidents (the operations guide\'s /api/security/incidents/recent, answering { "incidents": [...] }); an open critical, high or unclassified incident fails the gate. Required by builtin:preflight.',
  },
  'security-incidents-token': {
    kind: 'secret',
    secret: true,
    description:
      'Bearer token for security-incidents-url (a secret, read-only), when the endpoint needs one.',
  },
  'facts-file': {
    kind: 'out',
    description: 'Where the facts document goes. Default RUNNER_TEMP/deploy-gates/facts.json.',
  },
  'extra-facts': {
    kind: 'files',
    description: 'Facts files merged in after the collected ones, one per line.',
  },
  policies: {
    kind: 'policies',
    default: 'builtin:preflight',
    description: 'Policy files, globs or builtin names, one per line.',
  },
  waivers: { kind: 'file', description: 'Waivers file (JSON or YAML).' },
  ...WAIVER_APPROVER_INPUTS,
  ...GATE_DECISION_INPUTS,
  'report-file': { kind: 'out', description: 'Where the JSON report goes. Default under RUNNER_TEMP.' },
  ...GATE_REPORT_INPUTS,
} as const satisfies InputDeclarations;
