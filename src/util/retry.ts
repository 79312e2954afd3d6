import { setTimeout as timersSleep } from 'node:timers/promises';

/** What a failed attempt means: try again (after the server's Retry-After, if it gave one), or stop. */
export type RetryVerdict = { retry: false } | { retry: true; reason: string; afterMs?: number };

export interface RetryOptions {
  /** Named in every progress line and in the final error, e.g. "Vercel API (promote)". */
  what: string;
  /**
   * Epoch ms after which no attempt starts and a running one is aborted: the step's own time limit.
   * None: only `attempts` and `attemptTimeoutMs` bound the retries.
   */
  deadline?: number;
  classify: (err: unknown) => RetryVerdict;
  log: (message: string) => void;
  /** Attempts in all, the first included; default 5. */
  attempts?: number;
  /** One attempt never runs longer than this, so a held request cannot hold the step. */
  attemptTimeoutMs?: number;
  /** Progress is logged at least this often while an attempt is waiting for an answer. */
  heartbeatMs?: number;
  /** The wait before retry n is initialDelayMs × 2^(n-1), at most maxDelayMs, plus the jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Added to a back-off (not to a server's Retry-After) so clients that failed together spread out. */
  jitter?: (backoffMs: number) => number;
  /** How a wait between attempts is spent; tests pass one that only records it. */
  sleep?: (ms: number) => Promise<void>;
}

/** Raised when the attempts or the time ran out; `cause` is the last attempt's error. */
export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  /** How many attempts were made. */
  readonly attempts: number;
  /** Why the last attempt failed, as the classifier said it. */
  readonly reason: string;
  constructor(
    message: string,
    readonly timedOut: boolean,
    options: { cause: unknown; attempts: number; reason: string },
  ) {
    super(message, options);
    this.attempts = options.attempts;
    this.reason = options.reason;
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * Runs `attempt` until it succeeds, the error is not worth retrying, the attempts run out, or the
 * deadline passes. Each attempt gets an AbortSignal that fires at its own time limit or the deadline,
 * whichever comes first, and its number (1 for the first); waits honour Retry-After but never past the
 * deadline; and every wait and every slow attempt is logged, so the step is never silent for longer than
 * the heartbeat.
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal, n: number) => Promise<T>,
  o: RetryOptions,
): Promise<T> {
  const attempts = o.attempts ?? 5;
  const heartbeatMs = o.heartbeatMs ?? 10_000;
  const deadline = o.deadline ?? Number.POSITIVE_INFINITY;
  const jitter = o.jitter ?? (() => Math.random() * 250);
  const sleep = o.sleep ?? timersSleep;
  const started = Date.now();
  for (let n = 1; ; n++) {
    const remaining = deadline - Date.now();
    const limit = Math.max(1, Math.min(o.attemptTimeoutMs ?? 30_000, remaining));
    const signal = AbortSignal.timeout(limit);
    const heartbeat = setInterval(
      () => o.log(`${o.what}: still waiting for an answer (${seconds(Date.now() - started)} s)`),
      heartbeatMs,
    );
    try {
      return await attempt(signal, n);
    } catch (err) {
      const verdict = o.classify(err);
      if (!verdict.retry) throw err;
      const backoff = Math.min((o.initialDelayMs ?? 500) * 2 ** (n - 1), o.maxDelayMs ?? 8000);
      const delay = verdict.afterMs ?? backoff + jitter(backoff);
      const left = deadline - Date.now();
      if (n >= attempts || delay >= left) {
        const timedOut = delay >= left;
        throw new RetryExhaustedError(
          `${o.what}: ${verdict.reason} (${n} attempt${n === 1 ? '' : 's'} in ${seconds(Date.now() - started)} s${timedOut ? ', out of time' : ''}): ${message(err)}`,
          timedOut,
          { cause: err, attempts: n, reason: verdict.reason },
        );
      }
      o.log(`${o.what}: ${verdict.reason}; retry ${n}/${attempts - 1} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/** One read of a state being waited for: what was waited for, or where it stands now (for the log). */
export type PollRead<T> = { done: true; value: T } | { done: false; state: string };

export interface PollOptions {
  /** Named in every progress line and in the timeout error, e.g. "Waiting for production to serve dpl_1". */
  what: string;
  /** Epoch ms: the first read at or after it that is not done ends the wait with PollTimeoutError. */
  deadline: number;
  log: (message: string) => void;
  /** The first wait between reads, doubled after each read up to maxIntervalMs; default 250 ms. */
  intervalMs?: number;
  /** Default 2 s: a change is seen within that, without asking an API four times a second for minutes. */
  maxIntervalMs?: number;
  /** Where it stands is logged after the first read that is not done, then at least this often; default 10 s. */
  heartbeatMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Raised when the deadline passed before the state was reached; `state` is the last read's. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(
    message: string,
    readonly state: string,
  ) {
    super(message);
  }
}

/**
 * Reads a state that only an API can tell (no event announces it) until `read` says it is reached, with
 * waits that grow from `intervalMs` to `maxIntervalMs` and never past the deadline; a `read` that throws
 * ends the wait with its error. Where it stands is logged, so a long wait is never silent.
 */
export async function poll<T>(read: (n: number) => Promise<PollRead<T>>, o: PollOptions): Promise<T> {
  const heartbeatMs = o.heartbeatMs ?? 10_000;
  const sleep = o.sleep ?? timersSleep;
  const started = Date.now();
  let wait = o.intervalMs ?? 250;
  let logged: number | undefined;
  for (let n = 1; ; n++) {
    const r = await read(n);
    if (r.done) return r.value;
    const now = Date.now();
    const left = o.deadline - now;
    if (left <= 0) {
      throw new PollTimeoutError(
        `${o.what}: ${r.state} after ${seconds(now - started)} s (${n} read${n === 1 ? '' : 's'})`,
        r.state,
      );
    }
    if (logged === undefined || now - logged >= heartbeatMs) {
      o.log(`${o.what}: ${r.state} (${seconds(now - started)} s, ${seconds(left)} s left)`);
      logged = now;
    }
    await sleep(Math.min(wait, left));
    wait = Math.min(wait * 2, o.maxIntervalMs ?? 2000);
  }
}
