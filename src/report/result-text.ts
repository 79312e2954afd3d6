import type { RuleResult, Violation, Waiver } from '../policy/types.js';

/** `pointer: message`, naming the whole document when the pointer is empty. */
export function violationLine(violation: Violation): string {
  return `${violation.pointer === '' ? '(document root)' : violation.pointer}: ${violation.message}`;
}

/**
 * The violations a reader should see for a result: for a waived result those are the waived ones,
 * since a waived result has no unwaived violations left.
 */
export function shownViolations(result: RuleResult): Violation[] {
  return result.status === 'waived' ? result.waivedViolations : result.violations;
}

/** `reason (approved by A, ticket T, expires X)`: who accepted the risk and until when. */
export function describeWaiver(waiver: Waiver): string {
  return `${waiver.reason} (approved by ${waiver.approver}, ticket ${waiver.ticket}, expires ${waiver.expiresAt})`;
}
