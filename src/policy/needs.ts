import { getAtSegments, pointerToSegments } from '../util/json-pointer.js';
import type { MissingFact, Policy, Rule, RuleResult, Violation } from './types.js';

const NONE_MISSING: MissingFact[] = [];
/** A policy's needs are a handful of pointers looked up for every document: split each once. */
const segmentsOf = new Map<string, string[]>();

function present(facts: unknown, pointer: string): boolean {
  let segments = segmentsOf.get(pointer);
  if (!segments) {
    segments = pointerToSegments(pointer);
    segmentsOf.set(pointer, segments);
  }
  return getAtSegments(facts, segments) !== undefined;
}

/**
 * The facts a rule needs that the document does not hold. A fact that is present (even `null` or
 * empty) was collected and is the rule's schema to judge; only an absent one leaves the rule unchecked.
 */
export function missingFacts(policy: Policy, rule: Rule, facts: unknown): MissingFact[] {
  const needs = rule.needs;
  if (needs === undefined || needs.every((pointer) => present(facts, pointer))) return NONE_MISSING;
  return needs
    .filter((pointer) => !present(facts, pointer))
    .map((pointer) => {
      const spec = policy.facts?.[pointer];
      return {
        pointer,
        required: spec?.required ?? false,
        ...(spec?.collectedBy ? { collectedBy: spec.collectedBy } : {}),
      };
    });
}

/** `/tls was not collected (collected by the tls-hosts input)`. */
export function missingText(missing: MissingFact): string {
  const by = missing.collectedBy ? ` (collected by ${missing.collectedBy})` : '';
  return `${missing.pointer} was not collected${by}`;
}

/** A missing required fact as a violation at its pointer, so a waiver scoped there covers it as usual. */
export function missingViolation(missing: MissingFact): Violation {
  return {
    pointer: missing.pointer,
    message: `is required but was not collected${missing.collectedBy ? `: give ${missing.collectedBy}` : ''}`,
    keyword: 'not-collected',
    schemaPath: '#/needs',
  };
}

/** One line for tables and annotations: what was not checked, and whether that blocks. */
export function notCheckedHeadline(missing: MissingFact[]): string {
  const required = missing.filter((m) => m.required);
  const shown = required.length > 0 ? required : missing;
  const what = shown.map(missingText).join('; ');
  return required.length > 0
    ? `Not checked, and the policy requires it: ${what}`
    : `Not checked (optional): ${what}`;
}

/** Not checked for want of a required fact no waiver covers: its violations are those missing facts. */
export function isMissingRequired(result: RuleResult): boolean {
  return result.status === 'not-checked' && result.violations.length > 0;
}
