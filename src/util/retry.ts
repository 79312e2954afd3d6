import { setTimeout as sleep } from 'node:timers/promises';

/** What a failed attempt means: try again (after the server's Retry-After, if it gave one), or stop. */
export type RetryVerdict = { retry: false } | { retry: true; reason: string; afterMs?: number };

export interface RetryOptions {
  /** Named in every progress line and in the final error, e.g. "Vercel API (promote)". */
  what: string;
  /** Epoch ms after which no attempt starts and a running one is aborted: the step's own time limit. */
  deadline: number;
  classify: (err: unknown) => RetryVerdict;
  log: (message: string) => void;
  attempts?: number;
  /** One attempt never runs longer than this, so a held request cannot hold the step. */
  attemptTimeoutMs?: number;
  /** Progress is logged at least this often while an attempt is waiting for an answer. */
  heartbeatMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Raised when the attempts or the time ran out; `cause` is the last attempt's error. */
export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  constructor(
    message: string,
    readonly timedOut: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
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

/**
 * Runs `attempt` until it succeeds, the error is not worth retrying, the attempts run out, or the
 * deadline passes. Each attempt gets an AbortSignal that fires at its own time limit or the deadline,
 * whichever comes first; waits honour Retry-After but never past the deadline; and every wait and every
 * slow attempt is logged, so the step is never silent for longer than the heartbeat.
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  o: RetryOptions,
): Promise<T> {
  const attempts = o.attempts ?? 5;
  const heartbeatMs = o.heartbeatMs ?? 10_000;
  const started = Date.now();
  for (let n = 1; ; n++) {
    const remaining = o.deadline - Date.now();
    const limit = Math.max(1, Math.min(o.attemptTimeoutMs ?? 30_000, remaining));
    const signal = AbortSignal.timeout(limit);
    const heartbeat = setInterval(
      () => o.log(`${o.what}: still waiting for an answer (${Math.round((Date.now() - started) / 1000)} s)`),
      heartbeatMs,
    );
    try {
      return await attempt(signal);
    } catch (err) {
      const verdict = o.classify(err);
      if (!verdict.retry) throw err;
      const backoff = Math.min((o.initialDelayMs ?? 500) * 2 ** (n - 1), o.maxDelayMs ?? 8000);
      const delay = verdict.afterMs ?? backoff + Math.random() * 250;
      const left = o.deadline - Date.now();
      if (n >= attempts || delay >= left) {
        const timedOut = delay >= left;
        throw new RetryExhaustedError(
          `${o.what}: ${verdict.reason} (${n} attempt${n === 1 ? '' : 's'} in ${Math.round((Date.now() - started) / 1000)} s${timedOut ? ', out of time' : ''}): ${message(err)}`,
          timedOut,
          { cause: err },
        );
      }
      o.log(`${o.what}: ${verdict.reason}; retry ${n}/${attempts - 1} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
