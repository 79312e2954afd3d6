import { isDeepStrictEqual } from 'node:util';
import { errorMessage, InputError } from '../errors.js';
import { getAt } from '../util/json-pointer.js';

/** One condition on the JSON value at a pointer: equal to a value, or valid against a JSON Schema. */
export interface JsonExpectation {
  equals?: unknown;
  schema?: object | boolean;
}

/** JSON Pointer into the response body → its condition; the shape of a check's expect.json. */
export type JsonConditions = Record<string, JsonExpectation>;

/**
 * The platform's health responses, `{"status":"ok"}` or `{"status":"healthy", ...}` (and the common
 * `pass`/`up` of other health endpoints): anything else, or no JSON at all, is not healthy.
 */
export const HEALTHY_BODY: JsonConditions = {
  '/status': { schema: { enum: ['ok', 'OK', 'healthy', 'pass', 'up', 'UP'] } },
};

/** The platform's compliance status responses: `{"compliant": true, ...}`. */
export const COMPLIANT_BODY: JsonConditions = { '/compliant': { equals: true } };

type Matcher = { pointer: string; matches: (value: unknown) => boolean; expected: string };
export type JsonMatchers = readonly Matcher[];

const shown = (value: unknown) => {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

function describe(e: JsonExpectation): string {
  if (e.schema === undefined) return shown(e.equals);
  const schema = e.schema as { enum?: unknown[]; const?: unknown };
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(shown).join(', ')}`;
  if ('const' in schema) return shown(schema.const);
  return 'a value its schema accepts';
}

/**
 * Conditions compiled once, JSON Schemas with the rule engine's Ajv (loaded only if needed). A schema
 * that does not compile is bad input, reported against `input` with `where` saying which one.
 */
export async function compileJsonConditions(
  conditions: JsonConditions | undefined,
  input: string,
  where: string,
): Promise<JsonMatchers> {
  const entries = Object.entries(conditions ?? {});
  if (entries.length === 0) return [];
  const needsAjv = entries.some(([, e]) => e.schema !== undefined);
  const ajv = needsAjv ? (await import('../policy/ajv.js')).createAjv() : undefined;
  return entries.map(([pointer, e]): Matcher => {
    const expected = describe(e);
    if (e.schema !== undefined && ajv) {
      try {
        const validate = ajv.compile(e.schema);
        return { pointer, matches: (v) => validate(v) === true, expected };
      } catch (err) {
        throw new InputError(
          input,
          `${where} has an invalid JSON Schema at ["${pointer}"]: ${errorMessage(err)}`,
          'Fix the schema (JSON Schema draft 2020-12), or compare with { equals: value } instead.',
        );
      }
    }
    return { pointer, matches: (v) => isDeepStrictEqual(v, e.equals), expected };
  });
}

/**
 * Why the body breaks a condition, one line naming the value found (JSON-encoded and cut short, so it
 * can neither span lines nor carry the rest of the body), or undefined when every condition holds.
 */
export function judgeBody(matchers: JsonMatchers, body: string): string | undefined {
  if (matchers.length === 0) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  for (const { pointer, matches, expected } of matchers) {
    const value = getAt(doc, pointer);
    if (!matches(value))
      return `the JSON value at ${pointer || '/'} is ${shown(value)}, expected ${expected}`;
  }
  return undefined;
}

/** A JSON text of conditions from an input, its shape checked here (the schema file checks a checks file). */
export function parseJsonConditions(input: string, raw: string, fallback: JsonConditions): JsonConditions {
  const text = raw.trim();
  if (text === '') return fallback;
  const fix =
    'Give a JSON object of JSON Pointer → { "equals": value } or { "schema": {...} }, e.g. {"/status": {"equals": "ok"}}, or {} to judge the status only.';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(input, 'is not JSON', fix);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InputError(input, 'is not a JSON object', fix);
  for (const [pointer, condition] of Object.entries(parsed)) {
    const keys = condition && typeof condition === 'object' ? Object.keys(condition) : [];
    const ok =
      /^(\/.*)?$/.test(pointer) &&
      keys.length === 1 &&
      (keys[0] === 'equals' ||
        (keys[0] === 'schema' && ['object', 'boolean'].includes(typeof condition.schema)));
    if (!ok) throw new InputError(input, `the condition at "${pointer}" is not as expected`, fix);
  }
  return parsed as JsonConditions;
}
