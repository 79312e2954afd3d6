import type { Counts, GateOutcome, Mode, RuleResult, Severity, WaiverReport } from '../policy/types.js';

/** A rule result as written to JSON: `file` is `null` (not missing) for builtin policies. */
export type JsonRuleResult = Omit<RuleResult, 'file'> & { file: string | null };

/** The complete, never truncated record of one gate evaluation. */
export interface JsonReport {
  schemaVersion: 1;
  tool: { name: string; version: string };
  generatedAt: string;
  decision: GateOutcome['decision'];
  mode: Mode;
  failOn: Severity;
  counts: Counts;
  policies: GateOutcome['policies'];
  factsSha256: string;
  waivers: WaiverReport[];
  results: JsonRuleResult[];
  /** Rule ids of the results that decide the gate. */
  blocking: string[];
  /** Run context supplied by the caller (repository, run id, attempt, ...). */
  run?: Record<string, unknown>;
}

export interface JsonReportExtra {
  tool: { name: string; version: string };
  run?: Record<string, unknown>;
}

export function toJsonReport(outcome: GateOutcome, extra: JsonReportExtra): JsonReport {
  // A deep copy: the report must not change if the caller later mutates the outcome.
  const copy = structuredClone(outcome);
  const report: JsonReport = {
    schemaVersion: 1,
    tool: { ...extra.tool },
    generatedAt: copy.now,
    decision: copy.decision,
    mode: copy.mode,
    failOn: copy.failOn,
    counts: copy.counts,
    policies: copy.policies,
    // A getter of the outcome (computed when first read), which a structured clone does not copy.
    factsSha256: outcome.factsSha256,
    waivers: copy.waivers,
    results: copy.results.map((result) => ({ ...result, file: result.file ?? null })),
    blocking: copy.blocking.map((result) => result.ruleId),
  };
  if (extra.run !== undefined) report.run = structuredClone(extra.run);
  return report;
}
