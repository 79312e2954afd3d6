import type { ErrorObject } from 'ajv';
import { getAt, pointerToSegments, segmentsToPointer } from '../util/json-pointer.js';
import type { SourceLocation, Violation } from './types.js';

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

/** A fact object naming a workspace-relative `file` and a 1-based `line` says where its problem is. */
function locationOf(value: unknown): SourceLocation | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { file, line } = value as { file?: unknown; line?: unknown };
  if (typeof file !== 'string' || file === '' || file.startsWith('/')) return undefined;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return undefined;
  return { file, line };
}

/** Each violation with the location of the nearest fact, at its pointer or above, that has one. */
export function locateViolations(violations: Violation[], facts: unknown): Violation[] {
  return violations.map((v) => {
    const segments = pointerToSegments(v.pointer);
    for (let n = segments.length; n > 0; n--) {
      const location = locationOf(getAt(facts, segmentsToPointer(segments.slice(0, n))));
      if (location) return { ...v, location };
    }
    return v;
  });
}

export function describeViolation(v: Violation): string {
  return `${v.pointer || '(facts)'} ${v.message}`;
}
