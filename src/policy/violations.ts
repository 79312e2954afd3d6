import type { ErrorObject } from 'ajv';
import { pointerToSegments } from '../util/json-pointer.js';
import type { SourceLocation, Violation } from './types.js';

const MAX_VALUE_CHARS = 80;

function quote(value: unknown): string {
  // What JSON.stringify writes for these, without setting up a serialiser for one value.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

const count = (n: unknown, one: string, many: string) => `${String(n)} ${n === 1 ? one : many}`;
const sizeOf = (data: unknown) =>
  Array.isArray(data) ? data.length : typeof data === 'string' ? [...data].length : undefined;

/**
 * Ajv's wording for the keywords whose default message a reader (an approver, not a schema author)
 * cannot act on: "must NOT have more than 0 items", "must NOT be valid", "must match pattern".
 */
const PLAIN: Partial<Record<string, (params: Record<string, unknown>, data: unknown) => string>> = {
  maxItems: (p, data) =>
    p.limit === 0
      ? `must be empty (found ${count(sizeOf(data), 'entry', 'entries')}: ${quote(data)})`
      : `must have at most ${count(p.limit, 'entry', 'entries')} (found ${sizeOf(data)})`,
  minItems: (p, data) =>
    `must have at least ${count(p.limit, 'entry', 'entries')} (found ${count(sizeOf(data), 'entry', 'entries')})`,
  maxLength: (p, data) =>
    `must be at most ${count(p.limit, 'character', 'characters')} long (found ${sizeOf(data)})`,
  minLength: (p, data) =>
    `must be at least ${count(p.limit, 'character', 'characters')} long (found ${quote(data)}, ${sizeOf(data)})`,
  pattern: (p, data) => `does not have the expected form ${quote(p.pattern)} (found ${quote(data)})`,
  type: (p, data) => `must be ${article(String(p.type))} (found ${data === null ? 'null' : quote(data)})`,
  not: (_p, data) => `has a value this rule does not allow (found ${quote(data)})`,
  oneOf: (_p, data) => `matches none, or more than one, of the accepted forms (found ${quote(data)})`,
  anyOf: (_p, data) => `matches none of the accepted forms (found ${quote(data)})`,
  contains: (p, data) =>
    `must contain ${p.minContains === undefined || p.minContains === 1 ? 'an entry' : `${p.minContains} entries`} of the expected form (found ${quote(data)})`,
  additionalProperties: (p) => `has an unexpected field ${quote(p.additionalProperty)}`,
  uniqueItems: (p) => `must not repeat an entry (entries ${p.j} and ${p.i} are equal)`,
};

function article(type: string): string {
  const name = type.replace(/,/g, ' or ');
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

const LINEAR_DEDUP = 16;

/** A property name as a JSON Pointer segment; most need no escape, and two regular expressions cost. */
function escapeSegment(name: string): string {
  return name.includes('~') || name.includes('/') ? name.replace(/~/g, '~0').replace(/\//g, '~1') : name;
}

function keeps(out: readonly Violation[], pointer: string, message: string): boolean {
  for (const v of out) if (v.pointer === pointer && v.message === message) return true;
  return false;
}

/**
 * Ajv's errors as violations a person can read: where in the facts, what is wrong, what was found, and
 * the nearest fact that says where in the repository it is.
 */
export function violationsOf(errors: readonly ErrorObject[], facts: unknown): Violation[] {
  const out: Violation[] = [];
  let seen: Set<string> | undefined;
  for (const error of errors) {
    // "must match then schema" only repeats the errors of the branch itself.
    if (error.keyword === 'if') continue;
    const params = error.params as Record<string, unknown>;
    let pointer = error.instancePath;
    let message: string;
    if (error.keyword === 'required') {
      pointer = `${pointer}/${escapeSegment(String(params.missingProperty))}`;
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
    } else if (PLAIN[error.keyword]) {
      message = PLAIN[error.keyword]?.(params, error.data) ?? 'is invalid';
    } else {
      const found =
        error.data !== undefined && (error.data === null || typeof error.data !== 'object')
          ? ` (found ${quote(error.data)})`
          : '';
      message = `${error.message ?? 'is invalid'}${found}`;
    }
    // The same problem reached twice (e.g. through two branches of a schema) is reported once. A rule
    // has few errors: comparing with those kept costs less than hashing a joined key, up to a point.
    if (out.length < LINEAR_DEDUP) {
      if (keeps(out, pointer, message)) continue;
    } else {
      if (!seen) seen = new Set(out.map((v) => `${v.pointer}\u0000${v.message}`));
      const key = `${pointer}\u0000${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const location = locationAt(facts, pointer);
    out.push(
      location
        ? { pointer, message, keyword: error.keyword, schemaPath: error.schemaPath, location }
        : { pointer, message, keyword: error.keyword, schemaPath: error.schemaPath },
    );
  }
  return out;
}

/** A fact object naming a workspace-relative `file` and a 1-based `line` says where its problem is. */
function isLocated(value: unknown): value is SourceLocation {
  if (value === null || typeof value !== 'object') return false;
  const { file, line } = value as { file?: unknown; line?: unknown };
  if (typeof file !== 'string' || file === '' || file.startsWith('/')) return false;
  return typeof line === 'number' && Number.isInteger(line) && line >= 1;
}

/**
 * Pointers split once: the same rules fail at the same places document after document, and a segment
 * kept (and so interned by its first use as a key) is looked up faster than a freshly cut one. Bounded,
 * since array indices make new pointers.
 */
const segmentsByPointer = new Map<string, readonly string[]>();
const MAX_KEPT_POINTERS = 4096;

function segmentsOf(pointer: string): readonly string[] {
  let segments = segmentsByPointer.get(pointer);
  if (!segments) {
    if (segmentsByPointer.size >= MAX_KEPT_POINTERS) segmentsByPointer.clear();
    segments = pointerToSegments(pointer);
    segmentsByPointer.set(pointer, segments);
  }
  return segments;
}

/** The nearest fact, at the pointer or above it, that says where it is (the facts' root aside). */
function locationAt(facts: unknown, pointer: string): SourceLocation | undefined {
  let node = facts;
  let nearest: SourceLocation | undefined;
  // One walk down, keeping the deepest located fact.
  for (const segment of segmentsOf(pointer)) {
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<string, unknown>)[segment];
    if (isLocated(node)) nearest = node;
  }
  return nearest && { file: nearest.file, line: nearest.line };
}

export function describeViolation(v: Violation): string {
  return `${v.pointer || '(facts)'} ${v.message}`;
}
