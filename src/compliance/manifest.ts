import { InputError } from '../errors.js';
import { assertSchema } from '../policy/document-schemas.js';
import { validateComplianceManifest } from '../policy/generated/validators/validateComplianceManifest.js';
import { readStructured } from '../policy/structured-file.js';
import { isPlainObject, type JsonObject } from '../util/deep-merge.js';
import { sha256 } from '../util/hash.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface Manifest {
  /** The manifest as written, `$schema` left out. */
  data: JsonObject;
  /** Path shown to the user (relative to the workspace). */
  display: string;
  sha256: string;
}

/**
 * Reads the compliance manifest and checks its shape against policies/compliance-manifest.schema.json.
 * A malformed manifest is bad input (one error naming the line); a missing attestation is not: the
 * policies decide what is required, so it becomes a failed rule.
 */
export async function readManifest(path: string, display: string, input: string): Promise<Manifest> {
  const file = await readStructured(path, input, display);
  if (!isPlainObject(file.data)) {
    throw new InputError(
      input,
      `${display} must hold one object (the compliance manifest)`,
      'Write the manifest as a JSON or YAML object; see policies/compliance-manifest.schema.json.',
    );
  }
  // Compiled ahead of time by scripts/build.mjs, like the policy and waivers schemas.
  await assertSchema(validateComplianceManifest, file, input, 'policies/compliance-manifest.schema.json');
  const { $schema: _schema, ...data } = file.data;
  return { data, display, sha256: sha256(file.text) };
}

/** Milliseconds of a manifest date: a bare date is midnight UTC when it starts, the end of that day when it ends. */
function dateMs(text: string, endOfDay: boolean): number {
  const ms = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && endOfDay ? ms + DAY_MS : ms;
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/**
 * The manifest as facts, with what JSON Schema cannot compute added next to the dates it comes from:
 * - `ageDays` on every attestation (an object with `attestedBy` and `date`): whole days since `date`
 *   (negative when dated in the future);
 * - `ageHours` on every notification (an object with `who` and `when`): hours since `when`, one decimal;
 * - `daysLeft` next to every `validUntil`: whole days until it lapses (a bare date is valid through
 *   that day, UTC); negative once expired.
 * Policies then compare plain numbers, e.g. `"ageDays": { "type": "integer", "maximum": 90 }`.
 */
export function deriveComplianceFacts(manifest: JsonObject, now: Date): JsonObject {
  const t = now.getTime();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isPlainObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = walk(value);
    if (typeof node.attestedBy === 'string' && isDate(node.date)) {
      out.ageDays = Math.floor((t - dateMs(node.date, false)) / DAY_MS);
    }
    if (typeof node.who === 'string' && isDate(node.when)) {
      out.ageHours = Math.floor(((t - dateMs(node.when, false)) / HOUR_MS) * 10) / 10;
    }
    if (isDate(node.validUntil)) {
      out.daysLeft = Math.floor((dateMs(node.validUntil, true) - t) / DAY_MS);
    }
    return out;
  };
  return walk(manifest) as JsonObject;
}
