import { SEVERITIES } from '../policy/types.js';
import { HOUR, type InputDeclarations } from '../runner/declared-inputs.js';
import { WAIVER_APPROVER_INPUTS } from './waiver-approvers.js';

/**
 * post-validate's inputs, declared once: actions/post-validate/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const POST_VALIDATE_INPUTS = {
  'base-url': {
    kind: 'url',
    description:
      'The deployment to validate (e.g. the deployment-url output of vercel-deploy); check paths are appended to it.',
  },
  'production-url': {
    kind: 'url',
    description:
      'The production domain where users reach the app (e.g. https://neonpro.healthcare): its /health is checked too ("Production domain health"), the playbook\'s curl -f https://neonpro.healthcare/health. Empty to skip.',
  },
  'api-host-url': {
    kind: 'url',
    description:
      'The API host (e.g. https://api.neonpro.healthcare): its /health is checked too ("API host health"). Empty to skip.',
  },
  'protection-bypass': {
    kind: 'secret',
    secret: true,
    description:
      'Vercel Protection Bypass for Automation secret, sent as x-vercel-protection-bypass to base-url only, for a deployment URL behind Deployment Protection. A secret; masked.',
  },
  checks: {
    kind: 'file',
    description:
      "Checks file (JSON or YAML, policies/post-validate-checks.schema.json). Default the playbook's Step 5 requests (health, database, compliance statuses, three authenticated functional checks), health bodies judged by /status and compliance bodies by /compliant.",
  },
  'bearer-token': {
    kind: 'secret',
    secret: true,
    description:
      'Token sent as "Authorization: Bearer" by checks with auth bearer (the default functional checks). A secret; masked.',
  },
  samples: { kind: 'int', default: '5', min: 1, max: 1000, description: 'Requests per check.' },
  interval: {
    kind: 'duration',
    default: '2s',
    min: 0,
    max: 24 * HOUR,
    description: 'Pause between two samples of one check (500ms, 2s, 1m).',
  },
  'initial-delay': {
    kind: 'duration',
    default: '0s',
    min: 0,
    max: 24 * HOUR,
    description: 'Wait before the first request, e.g. for caches to warm up.',
  },
  concurrency: {
    kind: 'int',
    default: '0',
    min: 0,
    max: 100,
    description:
      "Checks probed at the same time, from 1 to 100; 0 probes every check at once (each check's samples stay `interval` apart).",
  },
  timeout: {
    kind: 'duration',
    default: '35s',
    min: 1,
    max: 24 * HOUR,
    description:
      "Per request, connection to last byte. Above 30s so that a response slower than the playbook's 30 s trigger is measured, not cut off.",
  },
  thresholds: {
    kind: 'format',
    description:
      'Lines of "<target>: <expr>, ...": target all, tag:<tag> or check:<name>; expr <metric><op><number>[@severity] with metrics avg, min, med, p90, p95, p99, max (ms) and error_rate (fraction). Replaces the default with the same target, metric and severity.',
  },
  'failure-limit': {
    kind: 'int',
    default: '0',
    min: 0,
    max: 1000,
    description: 'Failed samples (a response that broke an expectation) a check may have and still pass.',
  },
  'consecutive-error-limit': {
    kind: 'int',
    default: '4',
    min: 0,
    max: 1000,
    description:
      'Samples in a row without any response (DNS, refused, reset, TLS, timeout) a check may have before it counts as errored. A check with at least half its samples unanswered is errored whatever this says, and every unanswered sample counts in the error rate.',
  },
  'fail-on-unhealthy': {
    kind: 'bool',
    default: 'true',
    description: 'Fail the step when the verdict is fail, so that a rollback job with if failure() starts.',
  },
  policies: {
    kind: 'policies',
    default: 'builtin:post-validate',
    description: 'Policy files, globs or builtin names, one per line.',
  },
  waivers: {
    kind: 'file',
    description: 'Waivers file; a threshold is waived alone with a scope such as /postValidate/thresholds/2.',
  },
  ...WAIVER_APPROVER_INPUTS,
  'fail-on': {
    kind: 'enum',
    default: 'high',
    values: SEVERITIES,
    description: 'Lowest severity that makes the verdict fail (critical, high, medium, low).',
  },
  'report-file': { kind: 'out', description: 'Where the JSON report goes. Default under RUNNER_TEMP.' },
  'sarif-file': { kind: 'out', description: 'Also write SARIF 2.1.0 here.' },
  'junit-file': { kind: 'out', description: 'Where the JUnit XML goes. Default under RUNNER_TEMP.' },
  'facts-file': { kind: 'out', description: 'Where the measured facts go. Default under RUNNER_TEMP.' },
} as const satisfies InputDeclarations;
