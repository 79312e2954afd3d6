import { InputError } from '../errors.js';
import { isPlainObject } from '../util/deep-merge.js';
import { assertDocument } from './document-schemas.js';
import { builtinRuleOwners } from './generated/builtin-rule-owners.js';
import { readStructured } from './structured-file.js';
import type { Waiver, WaiverReport, WaiverState } from './types.js';
import { auditWaiver, DAY_MS, type WaiverAudit } from './waiver-limits.js';

export const EXPIRY_WARNING_DAYS = 14;

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

/** What follows "waiver <ticket>" when a waiver is not honoured (expired, or refused by its policy's limits); undefined when it is. */
export type WaiverJudge = (waiver: Waiver) => string | undefined;

/** When a waiver expires, in ms since the epoch: `Date.parse(expiresAt)`, or that number kept by a caller that parsed it once. */
export type ExpiryOf = (waiver: Waiver) => number;

export const parseExpiry: ExpiryOf = (waiver) => Date.parse(waiver.expiresAt);

export function waiverJudge(
  now: Date,
  audits: ReadonlyMap<Waiver, WaiverAudit>,
  expiryOf: ExpiryOf = parseExpiry,
): WaiverJudge {
  return (waiver) => {
    if (expiryOf(waiver) <= now.getTime()) return `expired ${waiver.expiresAt} is not honoured`;
    const problems = audits.get(waiver)?.problems ?? [];
    return problems.length > 0 ? `is refused and not honoured: ${problems.join('; ')}` : undefined;
  };
}

/** States, judged in this one place so no code path honours an expired or refused waiver. */
export function classifyWaivers(
  waivers: Waiver[],
  now: Date,
  knownRules: ReadonlySet<string>,
  usedRules: ReadonlySet<string>,
  audits: ReadonlyMap<Waiver, WaiverAudit>,
  expiryOf: ExpiryOf = parseExpiry,
): WaiverReport[] {
  return waivers.map((waiver) => {
    const expires = expiryOf(waiver);
    const msLeft = expires - now.getTime();
    const daysLeft = Math.floor(msLeft / DAY_MS);
    const audit = audits.get(waiver) ?? auditWaiver(waiver, undefined, undefined, now, expires);
    let state: WaiverState;
    const ownedBy = knownRules.has(waiver.rule) ? undefined : builtinRuleOwners[waiver.rule];
    if (ownedBy) state = 'other-gate';
    else if (!knownRules.has(waiver.rule)) state = 'unknown-rule';
    else if (msLeft <= 0) state = 'expired';
    else if (audit.problems.length > 0) state = 'refused';
    else if (msLeft < EXPIRY_WARNING_DAYS * DAY_MS) state = 'expiring';
    else if (!usedRules.has(waiver.rule)) state = 'unused';
    else state = 'active';
    // Written out (in the order spreading the audit gave): spreading makes the object the slow way.
    const { lifetimeDays, approverCheck, problems } = audit;
    return ownedBy
      ? { waiver, state, daysLeft, lifetimeDays, approverCheck, problems, ownedBy }
      : { waiver, state, daysLeft, lifetimeDays, approverCheck, problems };
  });
}
