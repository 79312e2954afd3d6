import type { JsonObject } from '../util/deep-merge.js';
import { sha256 } from '../util/hash.js';
import { toIsoString } from '../util/iso-date.js';
import { addLines, evaluatePrepared, waiversByRule } from './evaluate.js';
import { isMissingRequired } from './needs.js';
import type { PreparedPolicy } from './prepared.js';
import { RuleCompiler } from './rule-compiler.js';
import { bySeverity, severityRank } from './severity.js';
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
  WaiverReport,
} from './types.js';
import { auditWaiver, type WaiverAudit } from './waiver-limits.js';
import { classifyWaivers, type ExpiryOf, parseExpiry, type WaiverJudge, waiverJudge } from './waivers.js';

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
const NO_RULES: ReadonlySet<string> = new Set();

function defaultCompiler(): RuleCompiler {
  sharedCompiler ??= new RuleCompiler();
  return sharedCompiler;
}

/**
 * Sorts most severe first, equally severe ones kept in policy and rule order (as a stable sort by
 * severity). A gate blocks on a handful of results: an insertion sort costs less than setting up
 * Array#sort, which takes over from a few dozen on.
 */
function mostSevereFirst(blocking: RuleResult[]): void {
  if (blocking.length > 32) {
    blocking.sort(bySeverity);
    return;
  }
  for (let i = 1; i < blocking.length; i++) {
    const r = blocking[i] as RuleResult;
    const rank = severityRank(r.severity);
    let j = i - 1;
    while (j >= 0 && severityRank((blocking[j] as RuleResult).severity) < rank) {
      blocking[j + 1] = blocking[j] as RuleResult;
      j--;
    }
    blocking[j + 1] = r;
  }
}

/** What a gate decides from its results: counted, and the blocking ones picked, in one pass. */
function tally(
  results: readonly RuleResult[],
  failOn: Severity,
  withWaivers: boolean,
): { counts: Counts; blocking: RuleResult[]; usedRules: ReadonlySet<string> } {
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
  const blocking: RuleResult[] = [];
  // The rules a waiver covered, for the waivers' report (only a gate with waivers has one).
  const usedRules = withWaivers ? new Set<string>() : undefined;
  const threshold = severityRank(failOn);
  // A missing required fact blocks whatever its rule's severity: fail-on chooses which findings matter,
  // and nothing was found or cleared where nothing was measured.
  for (const r of results) {
    switch (r.status) {
      case 'pass':
        counts.passed += 1;
        continue;
      case 'fail':
        counts.failed += 1;
        if (severityRank(r.severity) >= threshold) blocking.push(r);
        break;
      case 'waived':
        counts.waived += 1;
        break;
      case 'error':
        counts.errored += 1;
        counts.failed += 1;
        blocking.push(r);
        break;
      default:
        counts.notChecked += 1;
        if (isMissingRequired(r)) {
          counts.notCheckedRequired += 1;
          blocking.push(r);
        }
    }
    if (usedRules && r.waivers.length > 0) usedRules.add(r.ruleId);
  }
  mostSevereFirst(blocking);
  return { counts, blocking, usedRules: usedRules ?? NO_RULES };
}

/** Each waiver against the limits of the policy holding its rule, once per gate. */
function auditWaivers(
  policies: readonly PreparedPolicy[],
  waivers: Waiver[],
  approvals: ReadonlyMap<Waiver, ApproverCheck> | undefined,
  now: Date,
  expiryOf: ExpiryOf,
): ReadonlyMap<Waiver, WaiverAudit> {
  return new Map(
    waivers.map((waiver) => [
      waiver,
      auditWaiver(waiver, ownerOf(policies, waiver.rule), approvals?.get(waiver), now, expiryOf(waiver)),
    ]),
  );
}

/** The policy holding a rule (the last one, should two of the gate's policies both have it). */
function ownerOf(
  policies: readonly PreparedPolicy[],
  ruleId: string,
): { rule: Rule; policy: Policy } | undefined {
  for (let i = policies.length - 1; i >= 0; i--) {
    const owner = policies[i]?.owners.get(ruleId);
    if (owner) return owner;
  }
  return undefined;
}

/** Each waiver's expiry parsed once per gate: the audit, the judge and the report all need it. */
function expiriesOf(waivers: readonly Waiver[]): ExpiryOf {
  const expiries = new Map(waivers.map((waiver) => [waiver, parseExpiry(waiver)]));
  return (waiver) => expiries.get(waiver) ?? parseExpiry(waiver);
}

/** Each waiver judged once per gate (its expiry parsed once), however many violations it is asked about. */
function judgedOnce(judge: WaiverJudge): WaiverJudge {
  const verdicts = new Map<Waiver, string | undefined>();
  return (waiver) => {
    if (verdicts.has(waiver)) return verdicts.get(waiver);
    const verdict = judge(waiver);
    verdicts.set(waiver, verdict);
    return verdict;
  };
}

function waiverReports(
  policies: readonly PreparedPolicy[],
  waivers: Waiver[],
  usedRules: ReadonlySet<string>,
  now: Date,
  audits: ReadonlyMap<Waiver, WaiverAudit>,
  expiryOf: ExpiryOf,
): GateOutcome['waivers'] {
  // The rules of this gate, i.e. those of its results.
  const knownRules =
    policies.length === 1
      ? (policies[0] as PreparedPolicy).ruleIds
      : new Set(policies.flatMap((p) => [...p.ruleIds]));
  return classifyWaivers(waivers, now, knownRules, usedRules, audits, expiryOf);
}

const NO_AUDITS: ReadonlyMap<Waiver, WaiverAudit> = new Map();

/** No waiver to judge: with none, no rule has one, and a call would be a bug to stop at, not to pass. */
const noWaiverToJudge: WaiverJudge = (waiver) => {
  throw new Error(`waiver ${waiver.ticket} judged in a gate without waivers`);
};

/**
 * A gate's outcome. `factsSha256` is worked out when first read (a getter of the class, so no copy of
 * the outcome carries it: read it from the outcome): hashing the facts costs more than evaluating them,
 * and callers that evaluate many documents (policy tests, the CLI) never read it.
 */
class Outcome implements GateOutcome {
  readonly decision: GateOutcome['decision'];
  readonly mode: Mode;
  readonly failOn: Severity;
  readonly now: string;
  readonly counts: Counts;
  readonly results: RuleResult[];
  readonly blocking: RuleResult[];
  readonly waivers: WaiverReport[];
  readonly policies: GateOutcome['policies'];
  readonly #facts: JsonObject;
  #factsSha256: string | undefined;

  constructor(fields: Omit<GateOutcome, 'factsSha256' | 'decision'>, facts: JsonObject) {
    this.decision = fields.blocking.length > 0 ? 'fail' : 'pass';
    this.mode = fields.mode;
    this.failOn = fields.failOn;
    this.now = fields.now;
    this.counts = fields.counts;
    this.results = fields.results;
    this.blocking = fields.blocking;
    this.waivers = fields.waivers;
    this.policies = fields.policies;
    this.#facts = facts;
  }

  get factsSha256(): string {
    this.#factsSha256 ??= sha256(JSON.stringify(this.#facts));
    return this.#factsSha256;
  }
}

/**
 * The gate's decision: it fails when an unwaived failure is at or above `failOn`, when any rule could
 * not be evaluated, or when a fact the policy requires is missing and not waived. `audit` mode reaches the same decision but the caller does not fail the step.
 */
export async function decideGate(request: GateRequest): Promise<GateOutcome> {
  const { policies, facts, waivers, failOn, mode, now } = request;
  const compiler = request.compiler ?? defaultCompiler();
  const prepared = compiler.prepared(policies) ?? (await compiler.prepare(policies));
  const expiryOf = waivers.length === 0 ? parseExpiry : expiriesOf(waivers);
  const audits =
    waivers.length === 0 ? NO_AUDITS : auditWaivers(prepared, waivers, request.approvals, now, expiryOf);
  const judge = waivers.length === 0 ? noWaiverToJudge : judgedOnce(waiverJudge(now, audits, expiryOf));
  const results = evaluatePrepared(prepared, facts, waiversByRule(waivers), judge);
  const lines = addLines(prepared, results);
  if (lines) await lines;
  const { counts, blocking, usedRules } = tally(results, failOn, waivers.length > 0);
  return new Outcome(
    {
      mode,
      failOn,
      now: toIsoString(now),
      counts,
      results,
      blocking,
      waivers: waivers.length === 0 ? [] : waiverReports(prepared, waivers, usedRules, now, audits, expiryOf),
      policies: prepared.map((p) => p.summary),
    },
    facts,
  );
}
