import { errorMessage } from '../errors.js';
import type { StepRecord } from '../incident/step-record.js';

/** What a step reports when it did not fail: it either changed the world or found nothing left to do. */
export interface StepOutcome {
  status: 'done' | 'skipped';
  /** What was found and what was done, in one or two sentences (goes to the log, summary and incident). */
  detail: string;
  /** Facts for outputs and later steps (ids, counts, URLs). */
  data?: Record<string, unknown>;
}

/**
 * A step inspects the real state first and then skips, acts, or throws. A thrown error fails the step
 * (its message is the detail); `StepFailure` carries facts found before the failure (a safety backup
 * id, a table of counts) so they are recorded too.
 */
export interface Step {
  name: string;
  title: string;
  run(log: StepLog): Promise<StepOutcome>;
}

export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface StepRunOptions {
  runId: string;
  attempt: number;
  now?: () => Date;
  /** Called after each step with everything recorded so far (to persist progress as it happens). */
  onRecord?: (name: string, record: StepRecord, log: StepLog) => Promise<void> | void;
  /** Wraps each step, e.g. in a log group. */
  around?: <T>(step: Step, fn: () => Promise<T>) => Promise<T>;
}

/** Records in step order; JSON-serialises to the `steps` output. */
export class StepLog {
  private readonly records = new Map<string, StepRecord>();
  private readonly titles = new Map<string, string>();

  set(name: string, title: string, record: StepRecord): void {
    this.records.set(name, record);
    this.titles.set(name, title);
  }

  get(name: string): StepRecord | undefined {
    return this.records.get(name);
  }

  title(name: string): string {
    return this.titles.get(name) ?? name;
  }

  entries(): [string, StepRecord][] {
    return [...this.records.entries()];
  }

  failed(): string[] {
    return this.entries()
      .filter(([, r]) => r.status === 'failed')
      .map(([n]) => n);
  }

  /** `{ "<step>": { status, detail, runId, attempt, ... } }`, in the order the steps ran. */
  toJSON(): Record<string, StepRecord> {
    return Object.fromEntries(this.records);
  }
}

/**
 * Runs every step in order. A failed step does not stop the ones after it: in a rollback each later step
 * still brings back what it can (the app is restored even when the database step refuses), and the
 * record step must run to tell people what happened.
 */
export async function runSteps(steps: readonly Step[], options: StepRunOptions): Promise<StepLog> {
  const now = options.now ?? (() => new Date());
  const around = options.around ?? ((_step, fn) => fn());
  const log = new StepLog();
  for (const step of steps) {
    const startedAt = now().toISOString();
    const base = { runId: options.runId, attempt: options.attempt, startedAt };
    let record: StepRecord;
    try {
      const outcome = await around(step, () => step.run(log));
      record = { ...base, status: outcome.status, detail: outcome.detail, finishedAt: now().toISOString() };
      if (outcome.data) record.data = outcome.data;
    } catch (err) {
      record = { ...base, status: 'failed', detail: errorMessage(err), finishedAt: now().toISOString() };
      if (err instanceof StepFailure && Object.keys(err.data).length > 0) record.data = err.data;
    }
    log.set(step.name, step.title, record);
    await options.onRecord?.(step.name, record, log);
  }
  return log;
}
