import type { MissingFact, RuleResult, Violation } from './types.js';

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
