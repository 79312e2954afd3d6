import { MODES, SEVERITIES } from '../policy/types.js';
import type { InputDeclarations } from '../runner/declared-inputs.js';
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
  'fail-on': {
    kind: 'enum',
    default: 'high',
    values: SEVERITIES,
    description:
      'Lowest severity that fails the gate (critical, high, medium, low). Rules that cannot be evaluated always fail it.',
  },
  mode: {
    kind: 'enum',
    default: 'enforce',
    values: MODES,
    description: 'enforce (fail the step when the gate fails) or audit (report only).',
  },
  'sarif-file': {
    kind: 'out',
    description: 'Where to write a SARIF 2.1.0 report (for code scanning upload). Not written when empty.',
  },
  'junit-file': { kind: 'out', description: 'Where to write a JUnit XML report. Not written when empty.' },
  'report-file': {
    kind: 'out',
    description:
      'Where to write the full JSON report. Default $RUNNER_TEMP/deploy-gates/policy-gate-<step>.json.',
  },
} as const satisfies InputDeclarations;
