import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { errorMessage } from '../errors.js';
import { sha256 } from '../util/hash.js';
import type { LoadedPolicy, Rule } from './types.js';

export type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

/**
 * Turns rule schemas into validators, once per process. Rules of builtin policies come precompiled
 * (scripts/build.mjs generates them with the same options as createRuleAjv); any other rule is compiled
 * by Ajv, which is loaded only then: loading and compiling cost more than a bare Node start, and a gate
 * over builtin policies never needs them.
 */
export class RuleCompiler {
  private ajv: Promise<Ajv2020> | undefined;
  private builtins: Promise<Record<string, ValidateFunction>> | undefined;
  /** The draft 2020-12 meta-schema's validator, loaded for the first rule compiled at run time. */
  private metaSchema: Promise<ValidateFunction> | undefined;
  /** By schema text, so identical schemas in different policies compile once. */
  private readonly bySchema = new Map<string, Compiled>();
  /** By rule object, so evaluating the same loaded policy again costs no serialisation. */
  private readonly byRule = new WeakMap<Rule, Compiled>();
  private readonly usePrecompiled: boolean;

  /** `precompiled: false` compiles builtin rules at run time too (to check the generated code against Ajv). */
  constructor(options: { precompiled?: boolean } = {}) {
    this.usePrecompiled = options.precompiled ?? true;
  }

  /** Policies whose every rule has its validator: evaluating them again needs no await. */
  private readonly preparedPolicies = new WeakSet<LoadedPolicy>();

  /** True when every rule of these policies is compiled (the common case: a policy evaluated again). */
  isPrepared(policies: readonly LoadedPolicy[]): boolean {
    return policies.every((p) => this.preparedPolicies.has(p));
  }

  /** Compiles every rule of these policies that is not compiled yet. */
  async prepare(policies: readonly LoadedPolicy[]): Promise<void> {
    for (const loaded of policies) {
      if (this.preparedPolicies.has(loaded)) continue;
      const builtin = loaded.source.startsWith('builtin:');
      for (const rule of loaded.policy.rules) {
        if (this.byRule.has(rule)) continue;
        const key = JSON.stringify(rule.schema);
        let compiled = this.bySchema.get(key);
        if (!compiled) {
          compiled = await this.compile(rule.schema, key, builtin);
          this.bySchema.set(key, compiled);
        }
        this.byRule.set(rule, compiled);
      }
      this.preparedPolicies.add(loaded);
    }
  }

  /** The validator of a prepared rule. */
  get(rule: Rule): Compiled {
    const compiled = this.byRule.get(rule);
    if (!compiled) throw new Error(`rule ${rule.id} was evaluated before its policy was prepared`);
    return compiled;
  }

  private async compile(schema: Rule['schema'], key: string, builtin: boolean): Promise<Compiled> {
    // A builtin rule's schema with a precompiled validator is the very text that Ajv checked against the
    // meta-schema and compiled at build time (same digest): neither is done again at every start.
    if (builtin && this.usePrecompiled) {
      this.builtins ??= import('./generated/builtin-rules.js').then((m) => m.builtinRuleValidators);
      const validate = (await this.builtins)[sha256(key)];
      if (validate) return { ok: true, validate };
    }
    this.metaSchema ??= import('./generated/validators/validateDraft2020.js').then(
      (m) => m.validateDraft2020,
    );
    const validateDraft2020 = await this.metaSchema;
    if (!validateDraft2020(schema)) {
      const e = validateDraft2020.errors?.[0];
      return {
        ok: false,
        error: `not a valid JSON Schema: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`,
      };
    }
    this.ajv ??= import('./ajv.js').then((m) => m.createRuleAjv());
    const ajv = await this.ajv;
    try {
      return { ok: true, validate: ajv.compile(schema) };
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
  }
}
