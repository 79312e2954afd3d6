import { InputError } from '../errors.js';
import { quoteValue } from '../runner/inputs.js';

/** Environment variable that fixes the gate's clock. For tests and the local demo only. */
export const CLOCK_ENV = 'DEPLOY_GATES_NOW';

export interface Clock {
  now: Date;
  /** Where the time came from: the system clock, or the test override. */
  source: 'system' | typeof CLOCK_ENV;
}

/**
 * The time the gate judges. There is deliberately no input for it: a workflow could otherwise move a
 * deploy into the change window by writing a date. The override is read from the environment only,
 * is reported as a warning on the run page and is recorded in the evidence bundle.
 */
export function readClock(env: Readonly<Record<string, string | undefined>>): Clock {
  const raw = env[CLOCK_ENV]?.trim();
  if (!raw) return { now: new Date(), source: 'system' };
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ||
    Number.isNaN(Date.parse(raw))
  ) {
    throw new InputError(
      CLOCK_ENV,
      `${quoteValue(raw)} is not an ISO-8601 date and time with a zone`,
      `Unset ${CLOCK_ENV} (it is for tests and the local demo), or write e.g. 2026-03-10T05:30:00Z.`,
    );
  }
  return { now: new Date(raw), source: CLOCK_ENV };
}
