import type { ErrorObject } from 'ajv';
import type { Violation } from './types.js';

const MAX_VALUE_CHARS = 80;

function quote(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** Ajv's errors as violations a person can read: where in the facts, what is wrong, what was found. */
export function toViolations(errors: readonly ErrorObject[]): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // "must match then schema" only repeats the errors of the branch itself.
    if (error.keyword === 'if') continue;
    const params = error.params as Record<string, unknown>;
    let pointer = error.instancePath;
    let message: string;
    if (error.keyword === 'required') {
      pointer = `${pointer}/${String(params.missingProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'is missing';
    } else if (error.keyword === 'errorMessage') {
      message = error.message ?? 'is invalid';
    } else if (error.keyword === 'const' || error.keyword === 'enum') {
      // Ajv says "must be equal to constant"; a reader needs to know which value is expected.
      const allowed = error.keyword === 'const' ? [params.allowedValue] : (params.allowedValues as unknown[]);
      const expected =
        allowed.length === 1
          ? `must be ${quote(allowed[0])}`
          : `must be one of ${allowed.map(quote).join(', ')}`;
      message = `${expected} (found ${quote(error.data)})`;
    } else {
      const found =
        error.data !== undefined && (error.data === null || typeof error.data !== 'object')
          ? ` (found ${quote(error.data)})`
          : '';
      message = `${error.message ?? 'is invalid'}${found}`;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message, keyword: error.keyword, schemaPath: error.schemaPath });
  }
  return out;
}

export function describeViolation(v: Violation): string {
  return `${v.pointer || '(facts)'} ${v.message}`;
}
