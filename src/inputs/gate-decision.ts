import { MODES, SEVERITIES } from '../policy/types.js';
import type { InputDeclarations } from '../runner/declared-inputs.js';

/** How a gate decides, and where its reports go: the same inputs, said the same way, on every gating action. */
export const GATE_DECISION_INPUTS = {
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
} as const satisfies InputDeclarations;

export const GATE_REPORT_INPUTS = {
  'sarif-file': {
    kind: 'out',
    description: 'Where to write a SARIF 2.1.0 report (for code scanning upload). Not written when empty.',
  },
  'junit-file': { kind: 'out', description: 'Where to write a JUnit XML report. Not written when empty.' },
} as const satisfies InputDeclarations;
