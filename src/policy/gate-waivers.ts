import { type WaiversByRule, waiversByRule } from './evaluate.js';
import type { PreparedPolicy } from './prepared.js';
import type { ApproverCheck, GateOutcome, Policy, Rule, Waiver, WaiverReport } from './types.js';
import { auditWaiver, type WaiverAudit } from './waiver-limits.js';
import { classifyWaivers, type ExpiryOf, parseExpiry, type WaiverJudge, waiverJudge } from './waivers.js';

/** What a gate does with its waivers: which rules they name, whether each is honoured, and the report. */
export interface GateWaivers {
  byRule: WaiversByRule | undefined;
  judge: WaiverJudge;
  /** The waivers' report, given the rules whose results a waiver covered. */
  report(usedRules: ReadonlySet<string>): WaiverReport[];
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

/** No waiver to judge: with none, no rule has one, and a call would be a bug to stop at, not to pass. */
const noWaiverToJudge: WaiverJudge = (waiver) => {
  throw new Error(`waiver ${waiver.ticket} judged in a gate without waivers`);
};

/** The common case: nothing to audit, judge or report (each report a new list, the caller's to keep). */
const NO_WAIVERS: GateWaivers = { byRule: undefined, judge: noWaiverToJudge, report: () => [] };

/** A gate's waivers, audited against the limits of the policies holding their rules, once per gate. */
export function gateWaivers(
  policies: readonly PreparedPolicy[],
  waivers: Waiver[],
  approvals: ReadonlyMap<Waiver, ApproverCheck> | undefined,
  now: Date,
): GateWaivers {
  if (waivers.length === 0) return NO_WAIVERS;
  const expiryOf = expiriesOf(waivers);
  const audits = auditWaivers(policies, waivers, approvals, now, expiryOf);
  return {
    byRule: waiversByRule(waivers),
    judge: judgedOnce(waiverJudge(now, audits, expiryOf)),
    report: (usedRules) => waiverReports(policies, waivers, usedRules, now, audits, expiryOf),
  };
}
