import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';

/** What the runner takes from action.yml when it starts a step. */
export interface InputSpec {
  name: string;
  default?: string;
  deprecationMessage?: string;
}

export interface ActionMetadata {
  file: string;
  inputs: InputSpec[];
  /** Names under `outputs:`: what the action promises its callers. */
  outputs: string[];
}

/**
 * The action.yml that owns a bundle: `<action>/dist/index.js` belongs to `<action>/action.yml`
 * (dist/../action.yml); a bundle not in a `dist` folder belongs to the action.yml beside it.
 */
export function findActionYml(bundle: string): string | undefined {
  const dir = dirname(bundle);
  const actionDir = basename(dir) === 'dist' ? dirname(dir) : dir;
  return ['action.yml', 'action.yaml'].map((f) => join(actionDir, f)).find((f) => existsSync(f));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readActionMetadata(file: string): ActionMetadata {
  // The failsafe schema keeps every scalar a string, as the runner does: `default: 1.0` is "1.0", not 1.
  const doc: unknown = parse(readFileSync(file, 'utf8'), { schema: 'failsafe' });
  if (!isRecord(doc)) throw new Error(`${file} is not a YAML mapping`);
  const inputs: InputSpec[] = [];
  const declared = doc.inputs ?? {};
  if (!isRecord(declared)) throw new Error(`${file}: inputs must be a mapping`);
  for (const [name, spec] of Object.entries(declared)) {
    const input: InputSpec = { name };
    if (isRecord(spec)) {
      if (typeof spec.default === 'string') input.default = spec.default;
      if (typeof spec.deprecationMessage === 'string') input.deprecationMessage = spec.deprecationMessage;
    }
    inputs.push(input);
  }
  const outputs = doc.outputs ?? {};
  if (!isRecord(outputs)) throw new Error(`${file}: outputs must be a mapping`);
  return { file, inputs, outputs: Object.keys(outputs) };
}

/** The runner's name mangling: upper-case, spaces to underscores, dashes kept (`INPUT_FAIL-ON`). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface EvaluatedDefault {
  value: string;
  /** Expressions the harness cannot evaluate; they are passed on verbatim. */
  unevaluated: string[];
}

/**
 * Substitutes `${{ <context.path> }}` where the value is a plain context lookup in `context`
 * (keys lower-case, e.g. `github.token`, `github.repository`, `runner.temp`). Anything else
 * (functions, operators, `secrets.*`, `inputs.*`) is left as written and reported, because a
 * partial expression engine would hide differences from the real runner.
 */
export function evaluateDefault(value: string, context: Record<string, string>): EvaluatedDefault {
  const unevaluated: string[] = [];
  const result = value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (whole, expr: string) => {
    const known = context[expr.toLowerCase()];
    if (known !== undefined) return known;
    unevaluated.push(whole);
    return whole;
  });
  return { value: result, unevaluated };
}
