import { HOUR, type InputDeclarations } from '../runner/declared-inputs.js';
import { GATE_DECISION_INPUTS, GATE_REPORT_INPUTS } from './gate-decision.js';
import { WAIVER_APPROVER_INPUTS } from './waiver-approvers.js';

/**
 * compliance-gate's inputs, declared once: actions/compliance-gate/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const COMPLIANCE_GATE_INPUTS = {
  manifest: {
    kind: 'file',
    default: '.github/compliance.json',
    description:
      'The compliance manifest (JSON or YAML) described by policies/compliance-manifest.schema.json. Relative paths are read from the workspace.',
  },
  facts: {
    kind: 'files',
    description:
      'Optional facts files (e.g. from preflight-check), merged in order before the manifest and the change window.',
  },
  policies: {
    kind: 'policies',
    default:
      'builtin:compliance/lgpd\nbuiltin:compliance/anvisa\nbuiltin:compliance/cfm\nbuiltin:change-window\n',
    description:
      'Policy files, globs or builtin names, one per line. Default the four builtin compliance policies.',
  },
  waivers: {
    kind: 'file',
    description:
      'Waivers file (JSON or YAML, an object with a "waivers" list); every waiver needs rule, reason, approver, ticket and expiresAt (UTC). An emergency deploy outside the change window is a waiver of change.inside-window.',
  },
  ...WAIVER_APPROVER_INPUTS,
  ...GATE_DECISION_INPUTS,
  'change-window': {
    kind: 'format',
    default: '02:00-06:00',
    description:
      'The maintenance window as HH:MM-HH:MM in the time zone below; may cross midnight (22:00-02:00).',
  },
  timezone: {
    kind: 'format',
    default: 'America/Sao_Paulo',
    description: 'IANA time zone of the change window.',
  },
  'max-duration': {
    kind: 'duration',
    default: '4h',
    min: 1000,
    max: 24 * HOUR,
    description: 'Longest a deploy may take (e.g. 4h, 90m).',
  },
  'expected-duration': {
    kind: 'duration',
    default: '1h',
    min: 1000,
    max: 24 * HOUR,
    description:
      'How long this deploy is expected to take from now; it must end inside the window and within max-duration.',
  },
  'clock-override': {
    kind: 'format',
    description:
      "For the sandbox and demos only: the time the gate judges, ISO-8601 with a zone (e.g. 2026-03-10T05:30:00Z). Recorded in the evidence beside the runner's clock; compliance.clock-not-overridden (critical) fails the gate unless a waiver covers it. Empty: the runner's clock. A step's environment (DEPLOY_GATES_NOW) never moves the clock.",
  },
  'report-file': {
    kind: 'out',
    description:
      'Where to write the full JSON report. Default $RUNNER_TEMP/deploy-gates/compliance-gate-<step>.json.',
  },
  ...GATE_REPORT_INPUTS,
  'evidence-file': {
    kind: 'out',
    description:
      'Where to write the evidence bundle (JSON). Default $RUNNER_TEMP/deploy-gates/compliance-evidence-<step>.json.',
  },
} as const satisfies InputDeclarations;
