import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PollTimeoutError,
  poll,
  RetryExhaustedError,
  type RetryVerdict,
  retryAfterMs,
  withRetry,
} from '../../src/util/retry.js';

// The one retry helper and the one poll, with a clock that moves only when they wait: every wait is
// recorded instead of spent, so the back-off, Retry-After, jitter and deadline arithmetic is exact.
let waits: number[];
let log: string[];
const sleep = async (ms: number) => {
  waits.push(ms);
  vi.setSystemTime(Date.now() + ms);
};
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-06T03:00:00Z'));
  waits = [];
  log = [];
});
afterEach(() => {
  vi.useRealTimers();
});

class Busy extends Error {
  constructor(readonly afterMs?: number) {
    super('busy');
  }
}
const classify = (err: unknown): RetryVerdict =>
  err instanceof Busy
    ? { retry: true, reason: 'answered 503', ...(err.afterMs === undefined ? {} : { afterMs: err.afterMs }) }
    : { retry: false };

/** An attempt that fails with the given errors in turn, then answers with its attempt number. */
function failing(...errors: Error[]) {
  const seen: number[] = [];
  const attempt = async (_signal: AbortSignal, n: number) => {
    seen.push(n);
    const err = errors[n - 1];
    if (err) throw err;
    return `answer ${n}`;
  };
  return { attempt, seen };
}

const base = { what: 'Test API', classify, log: (m: string) => log.push(m), sleep };

describe('withRetry', () => {
  it('backs off exponentially up to the cap, adds the jitter to each back-off, and numbers the attempts', async () => {
    const { attempt, seen } = failing(new Busy(), new Busy(), new Busy(), new Busy());
    const result = await withRetry(attempt, {
      ...base,
      initialDelayMs: 100,
      maxDelayMs: 300,
      jitter: (backoff) => backoff / 10,
    });
    expect(result).toBe('answer 5');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(waits).toEqual([110, 220, 330, 330]);
    expect(log).toEqual([
      'Test API: answered 503; retry 1/4 in 0.1 s',
      'Test API: answered 503; retry 2/4 in 0.2 s',
      'Test API: answered 503; retry 3/4 in 0.3 s',
      'Test API: answered 503; retry 4/4 in 0.3 s',
    ]);
  });

  it("waits the server's Retry-After instead of the back-off, without jitter", async () => {
    const { attempt } = failing(new Busy(3000), new Busy());
    await withRetry(attempt, { ...base, initialDelayMs: 100, jitter: () => 7 });
    expect(waits).toEqual([3000, 207]);
  });

  it('without a deadline, stops after the attempts with how many and the last reason', async () => {
    const { attempt, seen } = failing(new Busy(), new Busy(), new Busy());
    const err = await withRetry(attempt, { ...base, attempts: 3, jitter: () => 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect(err).toMatchObject({ attempts: 3, reason: 'answered 503', timedOut: false });
    expect((err as Error).message).toBe('Test API: answered 503 (3 attempts in 2 s): busy');
    expect((err as Error).cause).toBeInstanceOf(Busy);
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([500, 1000]);
  });

  it('gives up at once, without waiting, when the next wait would pass the deadline', async () => {
    const { attempt, seen } = failing(new Busy(), new Busy(60_000));
    const err = await withRetry(attempt, { ...base, deadline: Date.now() + 30_000, jitter: () => 0 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ attempts: 2, timedOut: true });
    expect((err as Error).message).toContain('(2 attempts in 1 s, out of time)');
    expect(seen).toEqual([1, 2]);
    expect(waits).toEqual([500]);
  });

  it('passes on an error that is not worth retrying, after one attempt', async () => {
    const refused = new Error('answered 404');
    const { attempt, seen } = failing(refused);
    await expect(withRetry(attempt, base)).rejects.toBe(refused);
    expect(seen).toEqual([1]);
    expect(waits).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates; an absent or unreadable value is undefined', () => {
    const now = Date.parse('2026-12-06T03:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Sun, 06 Dec 2026 03:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Sun, 06 Dec 2026 02:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('poll', () => {
  /** A state that reads `pending` until the nth read. */
  const reachedAt = (n: number) => async (read: number) =>
    read >= n
      ? { done: true as const, value: `reached at read ${read}` }
      : { done: false as const, state: `pending ${read}` };

  it('reads until done, waiting longer each time up to the cap, and logs where it stands', async () => {
    const value = await poll(reachedAt(7), { ...base, what: 'Waiting', deadline: Date.now() + 60_000 });
    expect(value).toBe('reached at read 7');
    expect(waits).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    // The first state at once, then no more than once a heartbeat (10 s by default).
    expect(log).toEqual(['Waiting: pending 1 (0 s, 60 s left)']);
  });

  it('logs again once a heartbeat has passed', async () => {
    await poll(reachedAt(5), {
      ...base,
      what: 'Waiting',
      deadline: Date.now() + 60_000,
      intervalMs: 1000,
      maxIntervalMs: 1000,
      heartbeatMs: 2000,
    });
    expect(log).toEqual(['Waiting: pending 1 (0 s, 60 s left)', 'Waiting: pending 3 (2 s, 58 s left)']);
  });

  it('never sleeps past the deadline, and ends with the last state when it passes', async () => {
    const err = await poll(reachedAt(100), { ...base, what: 'Waiting', deadline: Date.now() + 1200 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect(err).toMatchObject({ state: 'pending 4', message: 'Waiting: pending 4 after 1 s (4 reads)' });
    expect(waits).toEqual([250, 500, 450]);
  });

  it('a read that throws ends the wait with its error', async () => {
    const settled = new Error('the alias job failed');
    const read = async (n: number) => {
      if (n === 2) throw settled;
      return { done: false as const, state: 'moving' };
    };
    await expect(poll(read, { ...base, what: 'Waiting', deadline: Date.now() + 60_000 })).rejects.toBe(
      settled,
    );
    expect(waits).toEqual([250]);
  });
});
