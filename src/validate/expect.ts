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
 * The values a schema of only `enum` (a list) or only `const` accepts (the default health expectation is
 * one): matched as Ajv matches them, by JSON equality, without loading Ajv at every start.
 */
function valueList(schema: unknown): readonly unknown[] | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const keys = Object.keys(schema);
  if (keys.length !== 1) return undefined;
  const s = schema as { enum?: unknown; const?: unknown };
  if (keys[0] === 'enum') return Array.isArray(s.enum) ? s.enum : undefined;
  if (keys[0] === 'const') return [s.const];
  return undefined;
}

/** Equality of JSON values as JSON Schema's enum and const define it (and Ajv's deep equal computes it). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return (
    ka.length === Object.keys(bo).length &&
    ka.every((k) => Object.hasOwn(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]))
  );
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
  const needsAjv = entries.some(([, e]) => e.schema !== undefined && valueList(e.schema) === undefined);
  const ajv = needsAjv ? (await import('../policy/ajv.js')).createAjv() : undefined;
  return entries.map(([pointer, e]): Matcher => {
    const expected = describe(e);
    const allowed = e.schema === undefined ? undefined : valueList(e.schema);
    if (allowed) return { pointer, matches: (v) => allowed.some((a) => jsonEqual(a, v)), expected };
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
