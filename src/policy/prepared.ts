import type { ValidateFunction } from 'ajv';
import { pointerToSegments } from '../util/json-pointer.js';
import type { Compiled } from './rule-compiler.js';
import { severityRank } from './severity.js';
import type { GateOutcome, LoadedPolicy, MissingFact, Policy, Rule, RuleResult } from './types.js';

/** A fact a rule needs: its pointer split once, and what a result says when it is absent. */
export interface Need {
  readonly segments: readonly string[];
  readonly missing: MissingFact;
}

/**
 * A rule with everything that does not depend on the facts worked out once per loaded policy, so the
 * per-document loop only resolves its needs, validates and, when something did not pass, builds a result.
 */
export interface PreparedRule {
  readonly rule: Rule;
  /** Its index in the policy file's `rules` (for its line). */
  readonly index: number;
  /** Undefined when the schema does not compile; `compileError` says why. */
  readonly validate: ValidateFunction | undefined;
  readonly compileError: string;
  /** The result when it passes: shared and frozen, since most rules pass on most documents. */
  readonly pass: RuleResult;
  readonly needs: readonly Need[];
  readonly rank: number;
  /**
   * `not-checked` results of this rule when no waiver names it, by which needs are absent (bit i for
   * needs[i]): such a result depends on nothing else, and required facts are often absent in bulk.
   */
  readonly notChecked: Map<number, RuleResult>;
}

export interface PreparedPolicy {
  readonly loaded: LoadedPolicy;
  readonly rules: readonly PreparedRule[];
  /** Its rules by id (the last of an id, as a map filled in order keeps), for waivers naming them. */
  readonly owners: ReadonlyMap<string, { rule: Rule; policy: Policy }>;
  readonly ruleIds: ReadonlySet<string>;
  /** What the reports say of the policy: the same for every evaluation. */
  readonly summary: GateOutcome['policies'][number];
}

/** Needs beyond this many are resolved without the `notChecked` cache (its key is a bit mask). */
export const MAX_CACHED_NEEDS = 30;

function passResult(loaded: LoadedPolicy, rule: Rule): RuleResult {
  return Object.freeze({
    policyId: loaded.policy.id,
    policyVersion: loaded.policy.version,
    policySource: loaded.source,
    file: loaded.workspaceFile,
    line: 0,
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    reference: rule.reference,
    remediation: rule.remediation,
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    tags: rule.tags ?? [],
    status: 'pass',
    message: rule.title,
    violations: [],
    waivedViolations: [],
    waivers: [],
    missingFacts: [],
  } satisfies RuleResult);
}

function needsOf(loaded: LoadedPolicy, rule: Rule): Need[] {
  return (rule.needs ?? []).map((pointer) => {
    const spec = loaded.policy.facts?.[pointer];
    return {
      segments: pointerToSegments(pointer),
      missing: Object.freeze({
        pointer,
        required: spec?.required ?? false,
        ...(spec?.collectedBy ? { collectedBy: spec.collectedBy } : {}),
      }),
    };
  });
}

/** `compiled[i]` is the validator of `loaded.policy.rules[i]`. */
export function preparePolicy(loaded: LoadedPolicy, compiled: readonly Compiled[]): PreparedPolicy {
  const rules = loaded.policy.rules.map((rule, index): PreparedRule => {
    const c = compiled[index];
    if (!c) throw new Error(`rule ${rule.id} has no validator`);
    return {
      rule,
      index,
      validate: c.ok ? c.validate : undefined,
      compileError: c.ok ? '' : c.error,
      pass: passResult(loaded, rule),
      needs: needsOf(loaded, rule),
      rank: severityRank(rule.severity),
      notChecked: new Map(),
    };
  });
  const owners = new Map<string, { rule: Rule; policy: Policy }>();
  for (const rule of loaded.policy.rules) owners.set(rule.id, { rule, policy: loaded.policy });
  return {
    loaded,
    rules,
    owners,
    ruleIds: new Set(owners.keys()),
    summary: Object.freeze({
      id: loaded.policy.id,
      title: loaded.policy.title,
      version: loaded.policy.version,
      source: loaded.source,
      sha256: loaded.sha256,
    }),
  };
}
