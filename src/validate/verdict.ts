import type { GateOutcome } from '../policy/types.js';
import { getAt } from '../util/json-pointer.js';
import type { CheckFacts, Limits, ThresholdFacts, ValidationFacts } from './measure.js';

export type Verdict = 'pass' | 'fail';

export interface Reason {
  check: string;
  threshold: string;
  measured: number | string | null;
  severity: string;
  /** One sentence an on-call engineer can act on. */
  sentence: string;
}

export interface Judgement {
  verdict: Verdict;
  healthy: boolean;
  rollbackRecommended: boolean;
  reasons: Reason[];
}

function thresholdReason(t: ThresholdFacts): Reason {
  const measured =
    t.metric === 'error_rate' ? `${((t.measured ?? 0) * 100).toFixed(2)} %` : `${t.measured} ms`;
  const who = t.target === 'all' ? 'all checks' : t.target;
  return {
    check: t.target,
    threshold: t.id,
    measured: t.measured,
    severity: t.severity,
    sentence: `${who}: ${t.metric} was ${measured}, which breaks ${t.metric}${t.op}${t.limit} (${t.severity}; ${t.source}).`,
  };
}

function checkReason(c: CheckFacts, severity: string, limits: Limits): Reason {
  const inARow = c.maxConsecutiveErrors > limits.consecutiveErrorLimit;
  const [threshold, measured, why] =
    c.verdict === 'fail'
      ? [
          'failure-limit',
          c.failed,
          `${c.failed} of ${c.samples} samples failed, more than failure-limit ${limits.failureLimit}`,
        ]
      : inARow
        ? [
            'consecutive-error-limit',
            c.maxConsecutiveErrors,
            `${c.maxConsecutiveErrors} probes in a row got no response, more than consecutive-error-limit ${limits.consecutiveErrorLimit}`,
          ]
        : ['no-response', c.errored, `${c.errored} of ${c.samples} probes got no response, at least half`];
  return {
    check: c.name,
    threshold,
    measured,
    severity,
    sentence: `${c.name}: ${why}${c.lastProblem ? ` (last problem: ${c.lastProblem})` : ''}.`,
  };
}

/**
 * The verdict follows the gate: fail when a rule at or above fail-on failed (unwaived). Probes without an
 * answer are errors in the error rate and make their check an error, so no answer is never a pass.
 * Reasons come from the unwaived violations, so a waived threshold is not a reason.
 */
export function judge(outcome: GateOutcome, facts: { postValidate: ValidationFacts }): Judgement {
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  for (const result of outcome.results) {
    if (result.status !== 'fail') continue;
    for (const v of result.violations) {
      const m = /^\/postValidate\/(checks|thresholds)\/(\d+)/.exec(v.pointer);
      if (!m || seen.has(`${m[1]}/${m[2]}`)) continue;
      seen.add(`${m[1]}/${m[2]}`);
      const entry = getAt(facts, `/postValidate/${m[1]}/${m[2]}`);
      if (m[1] === 'thresholds') reasons.push(thresholdReason(entry as ThresholdFacts));
      else reasons.push(checkReason(entry as CheckFacts, result.severity, facts.postValidate.limits));
    }
  }
  const verdict: Verdict = outcome.decision === 'fail' ? 'fail' : 'pass';
  return { verdict, healthy: verdict === 'pass', rollbackRecommended: verdict === 'fail', reasons };
}
