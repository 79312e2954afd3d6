import { isMissingRequired } from '../policy/needs.js';
import { bySeverity } from '../policy/severity.js';
import type { GateOutcome, RuleResult, WaiverReport } from '../policy/types.js';
import { violationLine } from './result-text.js';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title: string;
  file?: string;
  startLine?: number;
}

export interface AnnotationOptions {
  maxErrors?: number;
  maxWarnings?: number;
  maxNotices?: number;
}

// GitHub keeps only the first 10 annotations of each level per step and drops the rest silently.
const GITHUB_LIMIT_PER_LEVEL = 10;
// Enough to locate the problem; the job summary and the JSON report list every violation.
const MAX_VIOLATIONS_PER_MESSAGE = 5;

/**
 * Annotations for the run page: what blocks the gate as errors, what only warns (failures below
 * fail-on, everything in audit mode, waivers about to lapse or lapsed) as warnings, and rules left
 * unchecked for want of an optional fact and waivers that do nothing as notices. Each level is capped; the last slot then says how many were left out.
 */
export function toAnnotations(outcome: GateOutcome, opts: AnnotationOptions = {}): Annotation[] {
  const enforced = outcome.mode === 'enforce' ? outcome.blocking : [];
  const enforcedKeys = new Set(enforced.map(resultKey));
  const warned = outcome.results
    .filter(
      (result) =>
        (result.status === 'fail' || result.status === 'error' || isMissingRequired(result)) &&
        !enforcedKeys.has(resultKey(result)),
    )
    .sort(bySeverity);

  const errors = capped(
    [...enforced].sort(bySeverity).map((result) => resultAnnotation(result, 'error')),
    opts.maxErrors ?? GITHUB_LIMIT_PER_LEVEL,
    (count) => overflow('error', count, 'failing rules'),
  );
  const warnings = capped(
    [
      ...warned.map((result) => resultAnnotation(result, 'warning')),
      ...outcome.waivers.flatMap((report) => lapsingWaiverAnnotation(report) ?? []),
    ],
    opts.maxWarnings ?? GITHUB_LIMIT_PER_LEVEL,
    (count) => overflow('warning', count, 'warnings'),
  );
  const notices = capped(
    [
      ...outcome.results.flatMap((result) => optionalNotCheckedAnnotation(result) ?? []),
      ...outcome.waivers.flatMap((report) => idleWaiverAnnotation(report) ?? []),
    ],
    opts.maxNotices ?? GITHUB_LIMIT_PER_LEVEL,
    (count) => overflow('notice', count, 'notices'),
  );
  return [...errors, ...warnings, ...notices];
}

// By key rather than identity: `blocking` may hold copies of the result objects.
function resultKey(result: RuleResult): string {
  return JSON.stringify([result.policyId, result.ruleId]);
}

/** At most `max` annotations; when some must go, the last one kept says how many. */
function capped(
  annotations: Annotation[],
  max: number,
  summarise: (count: number) => Annotation,
): Annotation[] {
  if (annotations.length <= max) return annotations;
  if (max <= 0) return [];
  const shown = annotations.slice(0, max - 1);
  return [...shown, summarise(annotations.length - shown.length)];
}

function overflow(level: Annotation['level'], count: number, what: string): Annotation {
  return {
    level,
    title: `${count} more ${what}`,
    message: `and ${count} more ${what}; see the job summary and the JSON report`,
  };
}

function resultAnnotation(result: RuleResult, level: 'error' | 'warning'): Annotation {
  const violations = result.violations.slice(0, MAX_VIOLATIONS_PER_MESSAGE).map(violationLine);
  const hidden = result.violations.length - violations.length;
  if (hidden > 0) violations.push(`… and ${hidden} more violations`);
  const message = [
    result.message,
    ...violations,
    // A rule not checked needs its fact collected (its violations say how), not the rule's remediation.
    ...(isMissingRequired(result) ? [] : [`Remediation: ${result.remediation}`]),
    `Reference: ${result.reference}`,
  ].join('\n');
  return {
    level,
    title: `${result.ruleId} (${result.severity})`,
    message,
    ...(result.file === undefined
      ? {}
      : { file: result.file, ...(result.line >= 1 ? { startLine: result.line } : {}) }),
  };
}

/** A rule left unchecked for want of an optional fact: said once, so nobody takes its silence for a pass. */
function optionalNotCheckedAnnotation(result: RuleResult): Annotation | undefined {
  if (result.status !== 'not-checked' || isMissingRequired(result)) return undefined;
  return {
    level: 'notice',
    title: `${result.ruleId} not checked`,
    message: result.message,
  };
}

function lapsingWaiverAnnotation({
  waiver,
  state,
  daysLeft,
  problems,
}: WaiverReport): Annotation | undefined {
  const who = `approved by ${waiver.approver}, ticket ${waiver.ticket}`;
  if (state === 'refused') {
    return {
      level: 'warning',
      title: `Waiver for ${waiver.rule} refused`,
      message: `The waiver for ${waiver.rule} (${who}) is not honoured: ${problems.join('; ')}.`,
    };
  }
  if (state === 'expiring') {
    return {
      level: 'warning',
      title: `Waiver for ${waiver.rule} expires soon`,
      message:
        `The waiver for ${waiver.rule} (${who}) expires ${inDays(daysLeft)} (${waiver.expiresAt}); ` +
        'renew it or fix the rule before the gate starts failing.',
    };
  }
  if (state === 'expired') {
    return {
      level: 'warning',
      title: `Waiver for ${waiver.rule} expired`,
      message: `The waiver for ${waiver.rule} (${who}) expired on ${waiver.expiresAt} and is no longer honoured.`,
    };
  }
  return undefined;
}

function idleWaiverAnnotation({ waiver, state }: WaiverReport): Annotation | undefined {
  if (state === 'unknown-rule') {
    return {
      level: 'notice',
      title: `Waiver for unknown rule ${waiver.rule}`,
      message: `The waiver for ${waiver.rule} (ticket ${waiver.ticket}) names a rule no loaded policy has; it has no effect.`,
    };
  }
  if (state === 'unused') {
    return {
      level: 'notice',
      title: `Unused waiver for ${waiver.rule}`,
      message: `The waiver for ${waiver.rule} (ticket ${waiver.ticket}) matched no violation; remove it if it is no longer needed.`,
    };
  }
  return undefined;
}

function inDays(days: number): string {
  if (days <= 0) return 'today';
  return days === 1 ? 'in 1 day' : `in ${days} days`;
}
