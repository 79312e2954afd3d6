import type { JsonObject } from '../util/deep-merge.js';
import { sha256 } from '../util/hash.js';
import { evaluatePolicies } from './evaluate.js';
import { isMissingRequired } from './needs.js';
import type { RuleCompiler } from './rule-compiler.js';
import { atLeast, bySeverity } from './severity.js';
import type {
  ApproverCheck,
  Counts,
  GateOutcome,
  LoadedPolicy,
  Mode,
  Policy,
  Rule,
  RuleResult,
  Severity,
  Waiver,
} from './types.js';
import { auditWaiver, type WaiverAudit } from './waiver-limits.js';
import { classifyWaivers, waiverJudge } from './waivers.js';

export interface GateRequest {
  policies: LoadedPolicy[];
  /** Merged facts, `now` included. */
  facts: JsonObject;
  waivers: Waiver[];
  /**
   * Approver checks of the waivers, made by the caller (prepareGate reads the approvers file and team
   * memberships). Absent in policy tests and the CLI, which judge rules, not people.
   */
  approvals?: ReadonlyMap<Waiver, ApproverCheck>;
  failOn: Severity;
  mode: Mode;
  now: Date;
  compiler?: RuleCompiler;
}

function count(results: RuleResult[]): Counts {
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
  for (const r of results) {
    if (r.status === 'pass') counts.passed += 1;
    else if (r.status === 'fail') counts.failed += 1;
    else if (r.status === 'waived') counts.waived += 1;
    else if (r.status === 'error') {
      counts.errored += 1;
      counts.failed += 1;
    } else {
      counts.notChecked += 1;
      if (isMissingRequired(r)) counts.notCheckedRequired += 1;
    }
  }
  return counts;
}

/**
 * What decides the gate. A missing required fact blocks whatever its rule's severity: fail-on chooses
 * which findings matter, and nothing was found or cleared where nothing was measured.
 */
function blocks(result: RuleResult, failOn: Severity): boolean {
  return (
    result.status === 'error' ||
    isMissingRequired(result) ||
    (result.status === 'fail' && atLeast(result.severity, failOn))
  );
}

/** Each waiver against the limits of the policy holding its rule, once per gate. */
function auditWaivers(
  policies: LoadedPolicy[],
  waivers: Waiver[],
  approvals: ReadonlyMap<Waiver, ApproverCheck> | undefined,
  now: Date,
): Map<Waiver, WaiverAudit> {
  if (waivers.length === 0) return new Map();
  const owners = new Map<string, { rule: Rule; policy: Policy }>();
  for (const { policy } of policies) for (const rule of policy.rules) owners.set(rule.id, { rule, policy });
  return new Map(
    waivers.map((waiver) => [
      waiver,
      auditWaiver(waiver, owners.get(waiver.rule), approvals?.get(waiver), now),
    ]),
  );
}

const summaries = new WeakMap<LoadedPolicy, GateOutcome['policies'][number]>();

/** What the reports say of a policy: the same for every evaluation of a loaded policy. */
function policySummary(p: LoadedPolicy): GateOutcome['policies'][number] {
  let summary = summaries.get(p);
  if (!summary) {
    summary = Object.freeze({
      id: p.policy.id,
      title: p.policy.title,
      version: p.policy.version,
      source: p.source,
      sha256: p.sha256,
    });
    summaries.set(p, summary);
  }
  return summary;
}

function waiverReports(
  waivers: Waiver[],
  results: RuleResult[],
  now: Date,
  audits: Map<Waiver, WaiverAudit>,
): GateOutcome['waivers'] {
  const knownRules = new Set(results.map((r) => r.ruleId));
  const usedRules = new Set(results.filter((r) => r.waivers.length > 0).map((r) => r.ruleId));
  return classifyWaivers(waivers, now, knownRules, usedRules, audits);
}

/**
 * The gate's decision: it fails when an unwaived failure is at or above `failOn`, when any rule could
 * not be evaluated, or when a fact the policy requires is missing and not waived. `audit` mode reaches the same decision but the caller does not fail the step.
 */
export async function decideGate(request: GateRequest): Promise<GateOutcome> {
  const { policies, facts, waivers, failOn, mode, now } = request;
  const audits = auditWaivers(policies, waivers, request.approvals, now);
  const results = await evaluatePolicies(
    policies,
    facts,
    waivers,
    waiverJudge(now, audits),
    request.compiler,
  );
  const blocking = results.filter((r) => blocks(r, failOn)).sort(bySeverity);
  let factsDigest: string | undefined;
  return {
    decision: blocking.length > 0 ? 'fail' : 'pass',
    mode,
    failOn,
    now: now.toISOString(),
    counts: count(results),
    results,
    blocking,
    waivers: waivers.length === 0 ? [] : waiverReports(waivers, results, now, audits),
    policies: policies.map(policySummary),
    // Evidence for the reports, computed when first read: hashing the facts costs more than evaluating
    // them, and callers that evaluate many documents (policy tests, the CLI) never read it.
    get factsSha256() {
      factsDigest ??= sha256(JSON.stringify(facts));
      return factsDigest;
    },
  };
}
