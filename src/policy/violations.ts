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
