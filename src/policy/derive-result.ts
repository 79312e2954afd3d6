import type { MissingFact, RuleResult, RuleStatus, Violation, Waiver } from './types.js';

/**
 * A result that did not pass, from the rule's pass result. Written out field by field, in the pass
 * result's order (reports and JSON keep it): copying a frozen object by spreading costs more than
 * evaluating most rules.
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
  if (base.helpUri === undefined) {
    return {
      policyId: base.policyId,
      policyVersion: base.policyVersion,
      policySource: base.policySource,
      file: base.file,
      line: base.line,
      ruleId: base.ruleId,
      title: base.title,
      severity: base.severity,
      reference: base.reference,
      remediation: base.remediation,
      tags: base.tags,
      status,
      message,
      violations,
      waivedViolations,
      waivers,
      missingFacts,
    };
  }
  return {
    policyId: base.policyId,
    policyVersion: base.policyVersion,
    policySource: base.policySource,
    file: base.file,
    line: base.line,
    ruleId: base.ruleId,
    title: base.title,
    severity: base.severity,
    reference: base.reference,
    remediation: base.remediation,
    helpUri: base.helpUri,
    tags: base.tags,
    status,
    message,
    violations,
    waivedViolations,
    waivers,
    missingFacts,
  };
}
