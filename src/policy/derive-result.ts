import type { MissingFact, RuleResult, RuleStatus, Violation, Waiver } from './types.js';

/**
 * A result that did not pass, from the rule's pass result: its fields in the pass result's order (the
 * spread keeps each key where the pass result has it; reports and JSON keep that order).
 */
export function derive(
  base: RuleResult,
  status: RuleStatus,
  message: string,
  violations: Violation[],
  waivedViolations: Violation[],
  waivers: Waiver[],
  missingFacts: MissingFact[],
): RuleResult {
  return { ...base, status, message, violations, waivedViolations, waivers, missingFacts };
}
