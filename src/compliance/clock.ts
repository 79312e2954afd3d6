import { InputError } from '../errors.js';
import { quoteValue } from '../runner/inputs.js';

/** The input that fixes the gate's clock: for the sandbox and demos, and recorded as such. */
export const CLOCK_INPUT = 'clock-override';

export interface Clock {
  /** The time the gate judges. */
  now: Date;
  /** Where `now` came from: the system clock, or the clock-override input. */
  source: 'system' | typeof CLOCK_INPUT;
  /** The runner's clock when the gate read its inputs, kept beside an override for the evidence. */
  system: Date;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The time the gate judges. Only an input can move it, never the environment: an input is written in the
 * workflow file for reviewers to see, is recorded in the evidence, and the compliance/clock policy fails
 * the gate on it unless a waiver signed by an approver says why. (DEPLOY_GATES_NOW, read from a step's
 * `env:` by earlier versions, is ignored.)
 */
export function readClock(raw: string, system: Date = new Date()): Clock {
  const value = raw.trim();
  if (!value) return { now: system, source: 'system', system };
  if (!ISO_WITH_ZONE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InputError(
      CLOCK_INPUT,
      `${quoteValue(value)} is not an ISO-8601 date and time with a zone`,
      `Leave ${CLOCK_INPUT} empty outside the sandbox, or write e.g. 2026-03-10T05:30:00Z.`,
    );
  }
  return { now: new Date(value), source: CLOCK_INPUT, system };
}

/** The clock as facts for the compliance/clock policy. */
export function clockFacts(clock: Clock) {
  return {
    clock: {
      overridden: clock.source !== 'system',
      source: clock.source,
      now: clock.now.toISOString(),
      system: clock.system.toISOString(),
    },
  };
}
