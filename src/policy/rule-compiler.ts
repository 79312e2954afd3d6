import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { errorMessage } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { type PreparedPolicy, preparePolicy } from './prepared.js';
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

  /** Policies whose every rule has its validator, with what their evaluation needs worked out once. */
  private readonly preparedPolicies = new WeakMap<LoadedPolicy, PreparedPolicy>();

  /**
   * The prepared form of each policy, or undefined when one is not prepared yet (then `prepare` first).
   * A gate evaluating many documents asks once per document and policy, never per rule.
   */
  prepared(policies: readonly LoadedPolicy[]): PreparedPolicy[] | undefined {
    const out: PreparedPolicy[] = [];
    for (const loaded of policies) {
      const prepared = this.preparedPolicies.get(loaded);
      if (!prepared) return undefined;
      out.push(prepared);
    }
    return out;
  }

  /** Compiles every rule of these policies that is not compiled yet, and prepares each policy once. */
  async prepare(policies: readonly LoadedPolicy[]): Promise<PreparedPolicy[]> {
    const out: PreparedPolicy[] = [];
    for (const loaded of policies) {
      let prepared = this.preparedPolicies.get(loaded);
      if (!prepared) {
        const builtin = loaded.source.startsWith('builtin:');
        const compiled: Compiled[] = [];
        for (const rule of loaded.policy.rules) {
          let c = this.byRule.get(rule);
          if (!c) {
            const key = JSON.stringify(rule.schema);
            c = this.bySchema.get(key);
            if (!c) {
              c = await this.compile(rule.schema, key, builtin);
              this.bySchema.set(key, c);
            }
            this.byRule.set(rule, c);
          }
          compiled.push(c);
        }
        prepared = preparePolicy(loaded, compiled);
        this.preparedPolicies.set(loaded, prepared);
      }
      out.push(prepared);
    }
    return out;
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
