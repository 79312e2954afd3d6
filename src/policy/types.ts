export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const MODES = ['enforce', 'audit'] as const;
export type Mode = (typeof MODES)[number];

/**
 * `not-checked`: a fact the rule needs is absent, so the rule judged nothing. It blocks the gate when
 * the policy requires that fact (and no waiver covers it); otherwise it is reported and does not block.
 */
export type RuleStatus = 'pass' | 'fail' | 'waived' | 'error' | 'not-checked';

/** A fact the rules of a policy judge, as the policy declares it in `facts`. */
export interface FactSpec {
  /** A required fact that is absent fails the gate; an optional one leaves its rules not checked. */
  required: boolean;
  /** What supplies the fact (e.g. the input that enables its collector), named when it is missing. */
  collectedBy?: string;
}

/** A fact a rule needs that the facts document does not hold. */
export interface MissingFact {
  /** JSON Pointer of the fact, as declared in the policy. */
  pointer: string;
  required: boolean;
  collectedBy?: string;
}

/** A rule as written in a policy file (validated against policies/policy.schema.json). */
export interface Rule {
  id: string;
  title: string;
  description?: string;
  severity: Severity;
  reference: string;
  remediation: string;
  message?: string;
  helpUri?: string;
  tags?: string[];
  /** JSON Pointers of the facts the rule judges; declared in the policy's `facts`. */
  needs?: string[];
  schema: Record<string, unknown> | boolean;
}

export interface Policy {
  id: string;
  title: string;
  description?: string;
  version: string;
  /** The facts the rules need, by JSON Pointer: required or not, and what collects each. */
  facts?: Record<string, FactSpec>;
  /** Limits a waiver for one of its rules must keep (defaults in waiver-limits.ts). */
  waivers?: WaiverLimits;
  rules: Rule[];
}

/** A policy's `waivers` section. */
export interface WaiverLimits {
  maxDays?: number;
  ticketPattern?: string;
  approvalRequiredAt?: Severity;
}

/** A policy together with where it came from. */
export interface LoadedPolicy {
  policy: Policy;
  /** What the user wrote to name it: a path, a glob match, or builtin:<name>. */
  source: string;
  /** Absolute path of the file read. */
  file: string;
  /** Path relative to the workspace for annotations; undefined for builtin policies. */
  workspaceFile: string | undefined;
  sha256: string;
  /** 1-based line of the rule at `index` in the file (computed on demand: it needs a second parse). */
  ruleLine(index: number): Promise<number>;
}

export interface Violation {
  /** JSON Pointer into the facts where the problem is. */
  pointer: string;
  message: string;
  keyword: string;
  schemaPath: string;
  /** Where in the repository the problem is, when the facts say (a fact with `file` and `line`). */
  location?: SourceLocation;
}

/** A line of a file, the file relative to the workspace. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface Waiver {
  rule: string;
  scope?: string;
  reason: string;
  approver: string;
  ticket: string;
  /** When it was granted; its lifetime runs from here (or from the run, when absent) to expiresAt. */
  createdAt?: string;
  expiresAt: string;
}

/**
 * Whether the approver of a waiver may waive its rule, as the approvers file and team memberships
 * say. `required` is false for rules below the policy's approvalRequiredAt.
 */
export interface ApproverCheck {
  required: boolean;
  ok: boolean;
  /** Policy tests and the CLI judge rules, not people: they leave the approver unchecked. */
  unchecked?: true;
  /** What was checked, e.g. "listed in .github/deploy-gates/approvers" or "member of @org/team". */
  detail: string;
}

export interface RuleResult {
  policyId: string;
  policyVersion: string;
  policySource: string;
  /** Path relative to the workspace, or undefined for builtin policies. */
  file: string | undefined;
  line: number;
  ruleId: string;
  title: string;
  severity: Severity;
  reference: string;
  remediation: string;
  helpUri?: string;
  tags: string[];
  status: RuleStatus;
  /** One line saying what happened, for tables and annotations. */
  message: string;
  /** Violations that make the rule fail (unwaived). */
  violations: Violation[];
  /** Violations covered by a waiver in force. */
  waivedViolations: Violation[];
  /** Waivers in force that covered this rule. */
  waivers: Waiver[];
  /** Facts the rule needs that were absent (status `not-checked`, or `waived` when waivers cover them). */
  missingFacts: MissingFact[];
}

/**
 * `refused`: the waiver breaks its policy's limits (lifetime, ticket, approver); it waives nothing.
 * `other-gate`: it names a builtin rule of a policy this gate does not load (one waivers file serves every
 * gate); `unknown-rule`: no policy loaded here or builtin has that rule.
 */
export type WaiverState =
  | 'active'
  | 'expiring'
  | 'expired'
  | 'refused'
  | 'unused'
  | 'other-gate'
  | 'unknown-rule';

export interface WaiverReport {
  waiver: Waiver;
  state: WaiverState;
  /** Days until expiry (negative when expired). */
  daysLeft: number;
  /** Days from createdAt (or the run) to expiry. */
  lifetimeDays: number;
  approverCheck: ApproverCheck;
  /** Why the waiver is refused; empty when it keeps its policy's limits. */
  problems: string[];
  /** For `other-gate`: the builtin policy whose rule it waives, e.g. builtin:compliance/clock. */
  ownedBy?: string;
}

/** passed + failed + waived + notChecked = total; `failed` includes `errored`. */
export interface Counts {
  passed: number;
  failed: number;
  waived: number;
  errored: number;
  /** Rules whose facts were absent, required or not. */
  notChecked: number;
  /** Those of `notChecked` that block the gate: a required fact is missing and no waiver covers it. */
  notCheckedRequired: number;
  total: number;
}

export interface GateOutcome {
  decision: 'pass' | 'fail';
  mode: Mode;
  failOn: Severity;
  now: string;
  counts: Counts;
  results: RuleResult[];
  /** Results that decide the gate: failures at or above fail-on, errors, and rules missing a required fact. */
  blocking: RuleResult[];
  waivers: WaiverReport[];
  policies: { id: string; title: string; version: string; source: string; sha256: string }[];
  /**
   * SHA-256 of the merged facts. decideGate's outcome works it out when first read (a getter of its
   * class), so a spread or structured clone of the outcome leaves it out: read it from the outcome.
   */
  factsSha256: string;
}
