import { InputError } from '../errors.js';
import { isPlainObject } from '../util/deep-merge.js';
import { assertDocument } from './document-schemas.js';
import { readStructured } from './structured-file.js';
import type { Waiver, WaiverReport, WaiverState } from './types.js';

export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

const EXPIRY_FIX =
  'Every waiver needs an expiry: set expiresAt to a UTC date and time, e.g. "2026-12-31T23:59:59Z".';

export async function readWaiversFile(path: string, display: string, input: string): Promise<Waiver[]> {
  const doc = await readStructured(path, input, display);
  // A waiver without an expiry is the mistake that matters most; say so before the generic schema message.
  const list: unknown[] = isPlainObject(doc.data) && Array.isArray(doc.data.waivers) ? doc.data.waivers : [];
  const undated = list.findIndex((entry) => isPlainObject(entry) && entry.expiresAt === undefined);
  if (undated >= 0) {
    const { line } = await doc.locate(`/waivers/${undated}`);
    const rule = (list[undated] as { rule?: unknown }).rule;
    throw new InputError(
      input,
      `${display} line ${line}: the waiver for rule "${String(rule)}" has no expiresAt`,
      EXPIRY_FIX,
    );
  }
  await assertDocument('waivers', doc, input);
  const waivers = (doc.data as { waivers: Waiver[] }).waivers;
  const unreal = waivers.findIndex((waiver) => Number.isNaN(Date.parse(waiver.expiresAt)));
  if (unreal >= 0) {
    const { line } = await doc.locate(`/waivers/${unreal}/expiresAt`);
    throw new InputError(
      input,
      `${display} line ${line}: expiresAt "${waivers[unreal]?.expiresAt}" is not a real date`,
      EXPIRY_FIX,
    );
  }
  return waivers;
}

export function isHonoured(waiver: Waiver, now: Date): boolean {
  return Date.parse(waiver.expiresAt) > now.getTime();
}

/** Expiry states, judged in this one place so no code path honours an expired waiver. */
export function classifyWaivers(
  waivers: Waiver[],
  now: Date,
  knownRules: ReadonlySet<string>,
  usedRules: ReadonlySet<string>,
): WaiverReport[] {
  return waivers.map((waiver) => {
    const msLeft = Date.parse(waiver.expiresAt) - now.getTime();
    const daysLeft = Math.floor(msLeft / DAY_MS);
    let state: WaiverState;
    if (!knownRules.has(waiver.rule)) state = 'unknown-rule';
    else if (msLeft <= 0) state = 'expired';
    else if (msLeft < EXPIRY_WARNING_DAYS * DAY_MS) state = 'expiring';
    else if (!usedRules.has(waiver.rule)) state = 'unused';
    else state = 'active';
    return { waiver, state, daysLeft };
  });
}
