import type { JsonObject } from '../util/deep-merge.js';
import { addLines, evaluatePrepared } from './evaluate.js';
import { gateWaivers } from './gate-waivers.js';
import { Outcome } from './outcome.js';
import { RuleCompiler } from './rule-compiler.js';
import { tally } from './tally.js';
import type { ApproverCheck, GateOutcome, LoadedPolicy, Mode, Severity, Waiver } from './types.js';

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

let sharedCompiler: RuleCompiler | undefined;

function defaultCompiler(): RuleCompiler {
  sharedCompiler ??= new RuleCompiler();
  return sharedCompiler;
}

/**
 * The gate's decision: it fails when an unwaived failure is at or above `failOn`, when any rule could
 * not be evaluated, or when a fact the policy requires is missing and not waived. `audit` mode reaches the same decision but the caller does not fail the step.
 */
export async function decideGate(request: GateRequest): Promise<GateOutcome> {
  const { policies, facts, waivers, failOn, mode, now } = request;
  const compiler = request.compiler ?? defaultCompiler();
  const prepared = compiler.prepared(policies) ?? (await compiler.prepare(policies));
  const gate = gateWaivers(prepared, waivers, request.approvals, now);
  const results = evaluatePrepared(prepared, facts, gate.byRule, gate.judge);
  const lines = addLines(prepared, results);
  if (lines) await lines;
  const { counts, blocking, usedRules } = tally(results, failOn, waivers.length > 0);
  return new Outcome(
    {
      mode,
      failOn,
      now: now.toISOString(),
      counts,
      results,
      blocking,
      waivers: gate.report(usedRules),
      policies: prepared.map((p) => p.summary),
    },
    facts,
  );
}
