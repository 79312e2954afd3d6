import type { ValidateFunction } from 'ajv';
import { errorMessage } from '../errors.js';
import type { JsonObject } from '../util/deep-merge.js';
import { isWithin } from '../util/json-pointer.js';
import { createRuleAjv } from './ajv.js';
import { validateDraft2020 } from './generated/document-validators.js';
import type { LoadedPolicy, Rule, RuleResult, Violation, Waiver } from './types.js';
import { describeViolation, toViolations } from './violations.js';
import { isHonoured } from './waivers.js';

type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

/**
 * Compiles rule schemas once per process: a gate evaluates many fact documents against the same
 * policies (policy tests, the bench), and compiling costs far more than validating.
 */
export class RuleCompiler {
  private readonly ajv = createRuleAjv();
  private readonly cache = new Map<string, Compiled>();

  compile(rule: Rule): Compiled {
    const key = JSON.stringify(rule.schema);
    let compiled = this.cache.get(key);
    if (!compiled) {
      if (!validateDraft2020(rule.schema)) {
        const e = validateDraft2020.errors?.[0];
        compiled = {
          ok: false,
          error: `not a valid JSON Schema: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`,
        };
      } else {
        try {
          compiled = { ok: true, validate: this.ajv.compile(rule.schema) };
        } catch (err) {
          compiled = { ok: false, error: errorMessage(err) };
        }
      }
      this.cache.set(key, compiled);
    }
    return compiled;
  }
}

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

function evaluateRule(
  loaded: LoadedPolicy,
  index: number,
  facts: JsonObject,
  waivers: Waiver[],
  now: Date,
  compiler: RuleCompiler,
): RuleResult {
  const rule = loaded.policy.rules[index] as Rule;
  const base = {
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
    violations: [] as Violation[],
    waivedViolations: [] as Violation[],
    waivers: [] as Waiver[],
  };
  const compiled = compiler.compile(rule);
  if (!compiled.ok) {
    return { ...base, status: 'error', message: `The rule's schema does not compile: ${compiled.error}` };
  }
  if (compiled.validate(facts)) return { ...base, status: 'pass', message: rule.title };

  const violations = toViolations(compiled.validate.errors ?? []);
  const mine = waivers.filter((w) => w.rule === rule.id);
  const honoured = mine.filter((w) => isHonoured(w, now));
  const expired = mine.filter((w) => !isHonoured(w, now));
  const covering = (v: Violation) => honoured.find((w) => isWithin(v.pointer, w.scope ?? ''));
  const waived = violations.filter((v) => covering(v));
  const remaining = violations.filter((v) => !covering(v));
  const used = honoured.filter((w) => waived.some((v) => isWithin(v.pointer, w.scope ?? '')));

  if (remaining.length === 0) {
    return {
      ...base,
      status: 'waived',
      message: `Waived (${waiverText(used)}): ${headline(rule, violations)}`,
      waivedViolations: waived,
      waivers: used,
    };
  }
  const expiredNote =
    expired.length > 0
      ? ` — waiver ${expired.map((w) => `${w.ticket} expired ${w.expiresAt}`).join(', ')} is not honoured`
      : '';
  return {
    ...base,
    status: 'fail',
    message: `${headline(rule, remaining)}${expiredNote}`,
    violations: remaining,
    waivedViolations: waived,
    waivers: used,
  };
}

/** Every rule of every policy against one facts document. */
export async function evaluatePolicies(
  policies: LoadedPolicy[],
  facts: JsonObject,
  waivers: Waiver[],
  now: Date,
  compiler: RuleCompiler = defaultCompiler(),
): Promise<RuleResult[]> {
  const results = policies.flatMap((loaded) =>
    loaded.policy.rules.map((_, index) => ({
      loaded,
      index,
      result: evaluateRule(loaded, index, facts, waivers, now, compiler),
    })),
  );
  // Lines cost a second parse of the policy file; only results that get annotated need them.
  return Promise.all(
    results.map(async ({ loaded, index, result }) =>
      result.status === 'pass' ? result : { ...result, line: await loaded.ruleLine(index) },
    ),
  );
}
