/** RFC 6901 JSON Pointers. */

export function pointerToSegments(pointer: string): string[] {
  if (pointer === '') return [];
  const segments = pointer.slice(1).split('/');
  // Most pointers escape nothing; gates resolve thousands of them.
  return pointer.includes('~') ? segments.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : segments;
}

export function segmentsToPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** True when `pointer` is `scope` itself or lies below it. */
export function isWithin(pointer: string, scope: string): boolean {
  return scope === '' || pointer === scope || pointer.startsWith(`${scope}/`);
}

export function getAt(doc: unknown, pointer: string): unknown {
  return getAtSegments(doc, pointerToSegments(pointer));
}

/** The value at already split segments (a pointer resolved many times is split once). */
export function getAtSegments(doc: unknown, segments: readonly string[], length = segments.length): unknown {
  let node: unknown = doc;
  for (let i = 0; i < length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segments[i] as string];
  }
  return node;
}
