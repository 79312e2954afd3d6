import type { InputDeclarations } from '../runner/declared-inputs.js';
import { GATE_DECISION_INPUTS, GATE_REPORT_INPUTS } from './gate-decision.js';
import { WAIVER_APPROVER_INPUTS } from './waiver-approvers.js';

/**
 * policy-gate's inputs, declared once: action.yml (the root action) and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const POLICY_GATE_INPUTS = {
  policies: {
    kind: 'policies',
    required: true,
    description:
      'Policy files, globs or builtin names (builtin:preflight, builtin:compliance/lgpd), one per line or comma-separated. Relative paths are read from the workspace.',
  },
  facts: {
    kind: 'files',
    required: true,
    description:
      'One or more JSON or YAML facts files, merged in order (later files win). `now` is injected as the current UTC time.',
  },
  waivers: {
    kind: 'file',
    description:
      'Waivers file (JSON or YAML, an object with a "waivers" list); every waiver needs rule, reason, approver, ticket and expiresAt (UTC).',
  },
  ...WAIVER_APPROVER_INPUTS,
  ...GATE_DECISION_INPUTS,
  ...GATE_REPORT_INPUTS,
  'report-file': {
    kind: 'out',
    description:
      'Where to write the full JSON report. Default $RUNNER_TEMP/deploy-gates/policy-gate-<step>.json.',
  },
} as const satisfies InputDeclarations;
