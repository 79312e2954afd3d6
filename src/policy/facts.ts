import { InputError } from '../errors.js';
import { deepMerge, isPlainObject, type JsonObject } from '../util/deep-merge.js';
import { readStructured } from './structured-file.js';

/**
 * One facts document from several: later documents win key by key. `now` is injected last, as an
 * ISO-8601 UTC string, so rules can compare dates against it with `$data: "/now"`.
 */
export function mergeFacts(documents: JsonObject[], now: Date): JsonObject {
  const merged = documents.reduce<JsonObject>((acc, doc) => deepMerge(acc, doc), {});
  return { ...merged, now: now.toISOString() };
}

export async function readFactsFile(path: string, display: string, input: string): Promise<JsonObject> {
  const doc = await readStructured(path, input, display);
  if (!isPlainObject(doc.data)) {
    throw new InputError(
      input,
      `${display} must hold a JSON object of facts, not ${Array.isArray(doc.data) ? 'an array' : typeof doc.data}`,
      'Write the facts as one JSON or YAML object.',
    );
  }
  return doc.data;
}
