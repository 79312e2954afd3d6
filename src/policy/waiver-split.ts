import { isWithin } from '../util/json-pointer.js';
import type { Violation, Waiver } from './types.js';
import type { WaiverJudge } from './waivers.js';

/** How waivers in force are named in a message. */
export function waiverText(waivers: Waiver[]): string {
  return waivers.map((w) => `${w.ticket} by ${w.approver} until ${w.expiresAt}`).join('; ');
}

export interface WaiverSplit {
  waived: Violation[];
  remaining: Violation[];
  used: Waiver[];
  /** Waivers for the rule that are expired or refused, with why: named in the message, never honoured. */
  unhonoured: { waiver: Waiver; why: string }[];
}

/** Which violations the rule's waivers in force cover (a waiver covers its scope and everything below it). */
export function splitByWaivers(
  violations: Violation[],
  mine: readonly Waiver[],
  judge: WaiverJudge,
): WaiverSplit {
  if (mine.length === 0) return { waived: [], remaining: violations, used: [], unhonoured: [] };
  const honoured = mine.filter((w) => judge(w) === undefined);
  const covering = (v: Violation) => honoured.find((w) => isWithin(v.pointer, w.scope ?? ''));
  const waived = violations.filter((v) => covering(v));
  return {
    waived,
    remaining: violations.filter((v) => !covering(v)),
    used: honoured.filter((w) => waived.some((v) => isWithin(v.pointer, w.scope ?? ''))),
    unhonoured: mine.flatMap((waiver) => {
      const why = judge(waiver);
      return why === undefined ? [] : [{ waiver, why }];
    }),
  };
}

export function unhonouredNote(unhonoured: WaiverSplit['unhonoured']): string {
  return unhonoured.map(({ waiver, why }) => ` — waiver ${waiver.ticket} ${why}`).join('');
}
