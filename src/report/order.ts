import { severityRank } from '../policy/severity.js';
import type { RuleResult, RuleStatus } from '../policy/types.js';

// What needs a reader's attention first: what fails the gate, then what could not be checked,
// then accepted risk, then what passed.
const STATUS_ORDER: Record<RuleStatus, number> = { fail: 0, error: 1, waived: 2, pass: 3 };

/** Failures first, then errors, waived and passed results; most severe first within each. */
export function byAttention(a: RuleResult, b: RuleResult): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || severityRank(b.severity) - severityRank(a.severity)
  );
}
