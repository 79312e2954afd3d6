import { isMissingRequired } from './needs.js';
import { bySeverity, severityRank } from './severity.js';
import type { Counts, RuleResult, Severity } from './types.js';

const NO_RULES: ReadonlySet<string> = new Set();

/**
 * Sorts most severe first, equally severe ones kept in policy and rule order (as a stable sort by
 * severity). A gate blocks on a handful of results: an insertion sort costs less than setting up
 * Array#sort, which takes over from a few dozen on.
 */
function mostSevereFirst(blocking: RuleResult[]): void {
  if (blocking.length > 32) {
    blocking.sort(bySeverity);
    return;
  }
  for (let i = 1; i < blocking.length; i++) {
    const r = blocking[i] as RuleResult;
    const rank = severityRank(r.severity);
    let j = i - 1;
    while (j >= 0 && severityRank((blocking[j] as RuleResult).severity) < rank) {
      blocking[j + 1] = blocking[j] as RuleResult;
      j--;
    }
    blocking[j + 1] = r;
  }
}

/** What a gate decides from its results: counted, and the blocking ones picked, in one pass. */
export function tally(
  results: readonly RuleResult[],
  failOn: Severity,
  withWaivers: boolean,
): { counts: Counts; blocking: RuleResult[]; usedRules: ReadonlySet<string> } {
  // A rule that cannot be evaluated vouches for nothing, so it counts among the failures. A rule not
  // checked is counted apart (so the four counts add up to the total), the blocking ones apart again.
  const counts: Counts = {
    passed: 0,
    failed: 0,
    waived: 0,
    errored: 0,
    notChecked: 0,
    notCheckedRequired: 0,
    total: results.length,
  };
  const blocking: RuleResult[] = [];
  // The rules a waiver covered, for the waivers' report (only a gate with waivers has one).
  const usedRules = withWaivers ? new Set<string>() : undefined;
  const threshold = severityRank(failOn);
  // A missing required fact blocks whatever its rule's severity: fail-on chooses which findings matter,
  // and nothing was found or cleared where nothing was measured.
  for (const r of results) {
    switch (r.status) {
      case 'pass':
        counts.passed += 1;
        continue;
      case 'fail':
        counts.failed += 1;
        if (severityRank(r.severity) >= threshold) blocking.push(r);
        break;
      case 'waived':
        counts.waived += 1;
        break;
      case 'error':
        counts.errored += 1;
        counts.failed += 1;
        blocking.push(r);
        break;
      default:
        counts.notChecked += 1;
        if (isMissingRequired(r)) {
          counts.notCheckedRequired += 1;
          blocking.push(r);
        }
    }
    if (usedRules && r.waivers.length > 0) usedRules.add(r.ruleId);
  }
  mostSevereFirst(blocking);
  return { counts, blocking, usedRules: usedRules ?? NO_RULES };
}
