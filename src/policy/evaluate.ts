import type { ErrorObject } from 'ajv';
import type { JsonObject } from '../util/deep-merge.js';
import { isWithin } from '../util/json-pointer.js';
import { missingFacts, missingViolation, notCheckedHeadline } from './needs.js';
import { RuleCompiler } from './rule-compiler.js';
import type { LoadedPolicy, MissingFact, Rule, RuleResult, Violation, Waiver } from './types.js';
import { describeViolation, locateViolations, toViolations } from './violations.js';
import type { WaiverJudge } from './waivers.js';

let sharedCompiler: RuleCompiler | undefined;

function defaultCompiler(): RuleCompiler {
  sharedCompiler ??= new RuleCompiler();
  return sharedCompiler;
}

function headline(rule: Rule, violations: Violation[]): string {
  const first = violations[0];
  const detail = first ? `: ${describeViolation(first)}` : '';
  const more = violations.length > 1 ? ` (+${violations.length - 1} more)` : '';
  return `${rule.message ?? rule.title}${detail}${more}`;
}

function waiverText(waivers: Waiver[]): string {
  return waivers.map((w) => `${w.ticket} by ${w.approver} until ${w.expiresAt}`).join('; ');
}

const passResults = new WeakMap<Rule, RuleResult>();

/**
 * The result of a rule that passed. It never changes for a loaded rule, so it is built once and shared
 * (frozen) by every evaluation: most rules pass, and a gate may evaluate many fact documents.
 */
function passResult(loaded: LoadedPolicy, rule: Rule): RuleResult {
  let result = passResults.get(rule);
  if (!result) {
    result = Object.freeze({
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
    passResults.set(rule, result);
  }
  return result;
}

interface WaiverSplit {
  waived: Violation[];
  remaining: Violation[];
  used: Waiver[];
  /** Waivers for the rule that are expired or refused, with why: named in the message, never honoured. */
  unhonoured: { waiver: Waiver; why: string }[];
}

/** Which violations waivers in force cover (a waiver covers its scope and everything below it). */
function splitByWaivers(
  rule: Rule,
  violations: Violation[],
  waivers: Waiver[],
  judge: WaiverJudge,
): WaiverSplit {
  const mine = waivers.length === 0 ? waivers : waivers.filter((w) => w.rule === rule.id);
  if (mine.length === 0) return { waived: [], remaining: violations, used: [], unhonoured: [] };
  const honoured = mine.filter((w) => judge(w) === undefined);
  const covering = (v: Violation) => honoured.find((w) => isWithin(v.pointer, w.scope ?? ''));
  const waived = violations.filter((v) => covering(v));
  return {
    waived,
    remaining: violations.filter((v) => !covering(v)),
    used: honoured.filter((w) => waived.some((v) => isWithin(v.pointer, w.scope ?? ''))),
    unhonoured: mine.flatMap((waiver) => {
      const why = judge(waiver);
      return why === undefined ? [] : [{ waiver, why }];
    }),
  };
}

function unhonouredNote(unhonoured: WaiverSplit['unhonoured']): string {
  return unhonoured.map(({ waiver, why }) => ` — waiver ${waiver.ticket} ${why}`).join('');
}

/**
 * A rule whose facts are absent judged nothing: it is `not-checked`. Missing required facts are its
 * violations (they block the gate) unless waivers cover them; missing optional facts block nothing.
 */
function notChecked(
  base: RuleResult,
  rule: Rule,
  missing: MissingFact[],
  waivers: Waiver[],
  judge: WaiverJudge,
): RuleResult {
  const required = missing.filter((m) => m.required).map(missingViolation);
  const split = splitByWaivers(rule, required, waivers, judge);
  if (required.length > 0 && split.remaining.length === 0) {
    return {
      ...base,
      status: 'waived',
      message: `Waived (${waiverText(split.used)}): ${notCheckedHeadline(missing)}`,
      waivedViolations: split.waived,
      waivers: split.used,
      missingFacts: missing,
    };
  }
  return {
    ...base,
    status: 'not-checked',
    message: `${notCheckedHeadline(missing)}${split.remaining.length > 0 ? unhonouredNote(split.unhonoured) : ''}`,
    violations: split.remaining,
    waivedViolations: split.waived,
    waivers: split.used,
    missingFacts: missing,
  };
}

function evaluateRule(
  loaded: LoadedPolicy,
  index: number,
  facts: JsonObject,
  waivers: Waiver[],
  judge: WaiverJudge,
  compiler: RuleCompiler,
): RuleResult {
  const rule = loaded.policy.rules[index] as Rule;
  const base = passResult(loaded, rule);
  const compiled = compiler.get(rule);
  if (!compiled.ok) {
    return { ...base, status: 'error', message: `The rule's schema does not compile: ${compiled.error}` };
  }
  // Fail closed: a rule is never passed on facts nobody collected.
  const missing = missingFacts(loaded.policy, rule, facts);
  if (missing.length > 0) return notChecked(base, rule, missing, waivers, judge);
  if (compiled.validate(facts)) return base;

  const errors = compiled.validate.errors ?? [];
  // No waiver names the rule: it fails whatever its violations say, so they are read from Ajv's errors
  // (Ajv makes new ones every call) only when a report or a message asks for them.
  if (!waivers.some((w) => w.rule === rule.id) && errors.some((e) => e.keyword !== 'if'))
    return lazyFailure(base, rule, errors, facts);
  const violations = locateViolations(toViolations(errors), facts);
  const { waived, remaining, used, unhonoured } = splitByWaivers(rule, violations, waivers, judge);
  if (remaining.length === 0) {
    return {
      ...base,
      status: 'waived',
      message: `Waived (${waiverText(used)}): ${headline(rule, violations)}`,
      waivedViolations: waived,
      waivers: used,
    };
  }
  return {
    ...base,
    status: 'fail',
    message: `${headline(rule, remaining)}${unhonouredNote(unhonoured)}`,
    violations: remaining,
    waivedViolations: waived,
    waivers: used,
  };
}

/**
 * A failed rule whose violations and message are built when first read (a getter each, enumerable, so
 * that spreading, JSON and equality see them as plain fields), then kept. Deciding a gate reads only
 * statuses and severities; the reports read the rest.
 */
function lazyFailure(
  base: RuleResult,
  rule: Rule,
  errors: readonly ErrorObject[],
  facts: JsonObject,
): RuleResult {
  let violations: Violation[] | undefined;
  let message: string | undefined;
  const read = () => {
    violations ??= locateViolations(toViolations(errors), facts);
    return violations;
  };
  const result = { ...base, status: 'fail' } as RuleResult;
  Object.defineProperties(result, {
    violations: { enumerable: true, configurable: true, get: read },
    message: {
      enumerable: true,
      configurable: true,
      get: () => {
        message ??= headline(rule, read());
        return message;
      },
    },
  });
  return result;
}

/** Every rule of every policy against one facts document. */
export async function evaluatePolicies(
  policies: LoadedPolicy[],
  facts: JsonObject,
  waivers: Waiver[],
  judge: WaiverJudge,
  compiler: RuleCompiler = defaultCompiler(),
): Promise<RuleResult[]> {
  if (!compiler.isPrepared(policies)) await compiler.prepare(policies);
  const results: RuleResult[] = [];
  let needLines: Promise<void>[] | undefined;
  for (const loaded of policies) {
    const rules = loaded.policy.rules;
    for (let index = 0; index < rules.length; index++) {
      const result = evaluateRule(loaded, index, facts, waivers, judge, compiler);
      const at = results.push(result) - 1;
      // A line is shown only for a workspace file (annotations, SARIF), and costs a second parse of it:
      // builtin policies and passing rules never need one.
      if (result.status !== 'pass' && loaded.workspaceFile !== undefined) {
        needLines ??= [];
        needLines.push(
          loaded.ruleLine(index).then((line) => {
            results[at] = { ...result, line };
          }),
        );
      }
    }
  }
  if (needLines) await Promise.all(needLines);
  return results;
}
