import { isMissingRequired } from '../policy/needs.js';
import { severityRank } from '../policy/severity.js';
import type { RuleResult, RuleStatus } from '../policy/types.js';

// What needs a reader's attention first: what fails the gate, then what could not be checked,
// then what nobody measured, then accepted risk, then what passed.
const STATUS_ORDER: Record<RuleStatus, number> = { fail: 0, error: 1, 'not-checked': 2, waived: 4, pass: 5 };

// A rule not checked for want of an optional fact blocks nothing: after those that do.
const rank = (result: RuleResult) =>
  result.status === 'not-checked' && !isMissingRequired(result) ? 3 : STATUS_ORDER[result.status];

/** Failures first, then errors, not checked, waived and passed results; most severe first within each. */
export function byAttention(a: RuleResult, b: RuleResult): number {
  return rank(a) - rank(b) || severityRank(b.severity) - severityRank(a.severity);
}
