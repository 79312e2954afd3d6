import type { JsonObject } from '../util/deep-merge.js';
import { getAtSegments } from '../util/json-pointer.js';
import { derive } from './derive-result.js';
import { missingViolation, notCheckedHeadline } from './needs.js';
import { MAX_CACHED_NEEDS, type PreparedPolicy, type PreparedRule } from './prepared.js';
import type { MissingFact, Rule, RuleResult, Violation, Waiver } from './types.js';
import { describeViolation, violationsOf } from './violations.js';
import { splitByWaivers, unhonouredNote, waiverText } from './waiver-split.js';
import type { WaiverJudge } from './waivers.js';

/** The waivers of one gate by the rule they name; absent when there are none (the common case). */
export type WaiversByRule = ReadonlyMap<string, readonly Waiver[]>;

const NO_WAIVERS: readonly Waiver[] = Object.freeze([]);

export function waiversByRule(waivers: readonly Waiver[]): WaiversByRule | undefined {
  if (waivers.length === 0) return undefined;
  const byRule = new Map<string, Waiver[]>();
  for (const waiver of waivers) {
    const list = byRule.get(waiver.rule);
    if (list) list.push(waiver);
    else byRule.set(waiver.rule, [waiver]);
  }
  return byRule;
}

function headline(rule: Rule, violations: Violation[]): string {
  const first = violations[0];
  const detail = first ? `: ${describeViolation(first)}` : '';
  const more = violations.length > 1 ? ` (+${violations.length - 1} more)` : '';
  return `${rule.message ?? rule.title}${detail}${more}`;
}

/**
 * A rule whose facts are absent judged nothing: it is `not-checked`. Missing required facts are its
 * violations (they block the gate) unless waivers cover them; missing optional facts block nothing.
 */
function notChecked(
  base: RuleResult,
  missing: MissingFact[],
  mine: readonly Waiver[],
  judge: WaiverJudge,
): RuleResult {
  const required = missing.filter((m) => m.required).map(missingViolation);
  const split = splitByWaivers(required, mine, judge);
  if (required.length > 0 && split.remaining.length === 0) {
    return derive(
      base,
      'waived',
      `Waived (${waiverText(split.used)}): ${notCheckedHeadline(missing)}`,
      base.violations,
      split.waived,
      split.used,
      missing,
    );
  }
  return derive(
    base,
    'not-checked',
    `${notCheckedHeadline(missing)}${split.remaining.length > 0 ? unhonouredNote(split.unhonoured) : ''}`,
    split.remaining,
    split.waived,
    split.used,
    missing,
  );
}

/** Not checked for want of the needs in `absent` (bit i for needs[i]), from the cache when no waiver names the rule. */
function notCheckedFor(
  prepared: PreparedRule,
  absent: number,
  mine: readonly Waiver[] | undefined,
  judge: WaiverJudge,
): RuleResult {
  let result = mine === undefined ? prepared.notChecked.get(absent) : undefined;
  if (result) return result;
  const missing: MissingFact[] = [];
  prepared.needs.forEach((need, i) => {
    if (absent & (1 << i)) missing.push(need.missing);
  });
  if (mine !== undefined) return notChecked(prepared.pass, missing, mine, judge);
  // Shared by every later document that lacks the same facts, so nothing in it may change.
  result = notChecked(prepared.pass, missing, NO_WAIVERS, judge);
  for (const v of result.violations) Object.freeze(v);
  for (const list of [result.violations, result.waivedViolations, result.waivers, missing])
    Object.freeze(list);
  Object.freeze(result);
  prepared.notChecked.set(absent, result);
  return result;
}

/** The absent needs of a rule with more needs than a bit mask holds, resolved each time. */
function manyNeeds(
  prepared: PreparedRule,
  facts: JsonObject,
  mine: readonly Waiver[] | undefined,
  judge: WaiverJudge,
): RuleResult | undefined {
  const missing = prepared.needs.filter((n) => getAtSegments(facts, n.segments) === undefined);
  if (missing.length === 0) return undefined;
  return notChecked(
    prepared.pass,
    missing.map((n) => n.missing),
    mine ?? NO_WAIVERS,
    judge,
  );
}

function failed(
  prepared: PreparedRule,
  facts: JsonObject,
  mine: readonly Waiver[] | undefined,
  judge: WaiverJudge,
): RuleResult {
  const base = prepared.pass;
  const violations = violationsOf(prepared.validate?.errors ?? [], facts);
  // No waiver names the rule (the common case): it fails on every violation, and the pass result's
  // empty lists say as much as new ones.
  if (mine === undefined && violations.length > 0) {
    return derive(
      base,
      'fail',
      headline(prepared.rule, violations),
      violations,
      base.waivedViolations,
      base.waivers,
      base.missingFacts,
    );
  }
  const { waived, remaining, used, unhonoured } = splitByWaivers(violations, mine ?? NO_WAIVERS, judge);
  if (remaining.length === 0) {
    return derive(
      base,
      'waived',
      `Waived (${waiverText(used)}): ${headline(prepared.rule, violations)}`,
      base.violations,
      waived,
      used,
      base.missingFacts,
    );
  }
  return derive(
    base,
    'fail',
    `${headline(prepared.rule, remaining)}${unhonouredNote(unhonoured)}`,
    remaining,
    waived,
    used,
    base.missingFacts,
  );
}

function evaluateRule(
  prepared: PreparedRule,
  facts: JsonObject,
  byRule: WaiversByRule | undefined,
  judge: WaiverJudge,
): RuleResult {
  const { validate, needs } = prepared;
  const mine = byRule?.get(prepared.rule.id);
  if (validate === undefined) {
    const base = prepared.pass;
    return derive(
      base,
      'error',
      `The rule's schema does not compile: ${prepared.compileError}`,
      base.violations,
      base.waivedViolations,
      base.waivers,
      base.missingFacts,
    );
  }
  // Fail closed: a rule is never passed on facts nobody collected.
  if (needs.length > MAX_CACHED_NEEDS) {
    const notChecked = manyNeeds(prepared, facts, mine, judge);
    if (notChecked) return notChecked;
  } else if (needs.length > 0) {
    let absent = 0;
    let bit = 1;
    for (const need of needs) {
      if (getAtSegments(facts, need.segments) === undefined) absent |= bit;
      bit <<= 1;
    }
    if (absent !== 0) return notCheckedFor(prepared, absent, mine, judge);
  }
  if (validate(facts)) return prepared.pass;
  return failed(prepared, facts, mine, judge);
}

/** Every rule of every prepared policy against one facts document, in policy and rule order. */
export function evaluatePrepared(
  policies: readonly PreparedPolicy[],
  facts: JsonObject,
  byRule: WaiversByRule | undefined,
  judge: WaiverJudge,
): RuleResult[] {
  let count = 0;
  for (const policy of policies) count += policy.rules.length;
  // Sized once: growing by pushes reallocates it a few times for every document.
  const results = new Array<RuleResult>(count);
  let at = 0;
  for (const policy of policies)
    for (const rule of policy.rules) results[at++] = evaluateRule(rule, facts, byRule, judge);
  return results;
}

/**
 * Puts the line of its rule in each result of a workspace policy that did not pass (annotations and
 * SARIF point there). Undefined when there is none to look up: a line costs a second parse of the file,
 * and builtin policies and passing rules never need one.
 */
export function addLines(
  policies: readonly PreparedPolicy[],
  results: RuleResult[],
): Promise<void> | undefined {
  let pending: Promise<void>[] | undefined;
  let at = 0;
  for (const { loaded, rules } of policies) {
    if (loaded.workspaceFile === undefined) {
      at += rules.length;
      continue;
    }
    for (const { index } of rules) {
      const result = results[at] as RuleResult;
      const i = at++;
      if (result.status === 'pass') continue;
      pending ??= [];
      pending.push(
        loaded.ruleLine(index).then((line) => {
          results[i] = { ...result, line };
        }),
      );
    }
  }
  return pending && Promise.all(pending).then(() => undefined);
}
