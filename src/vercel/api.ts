import type { VercelCore } from '@vercel/sdk/core.js';
import type { RequestOptions } from '@vercel/sdk/lib/sdks.js';
import { type RetryVerdict, retryAfterMs, withRetry } from '../util/retry.js';
import type { VercelTarget } from './target.js';

export type { VercelTarget } from './target.js';

/**
 * The one Vercel API client factory: the SDK's core, without its own retries (callVercel retries within
 * the step's deadline instead). Only the vercel modules talk to Vercel's API. Calls go through the SDK's
 * standalone functions, each imported where it is used: the whole client class costs well over a second
 * to load, and every action would pay it at start.
 */
export async function vercelCore(t: VercelTarget): Promise<VercelCore> {
  const { VercelCore } = await import('@vercel/sdk/core.js');
  return new VercelCore({ bearerToken: t.token, serverURL: t.apiUrl, retryConfig: { strategy: 'none' } });
}

/**
 * The target with 15 s of its own, for what must still happen once the step's time is up: cancelling a
 * build that ran out of time, reading what production serves after a call that got no answer.
 */
export function withCleanupBudget(t: VercelTarget): VercelTarget {
  return { ...t, budget: { callMs: 15_000, log: t.budget?.log ?? (() => undefined) } };
}

/** 429 and 5xx are worth another try (after Retry-After), as is a request that got no answer. */
function classifyVercelError(err: unknown): RetryVerdict {
  const e = err as { name?: string; statusCode?: number; headers?: Headers };
  if (typeof e.statusCode === 'number') {
    if (e.statusCode !== 429 && e.statusCode < 500) return { retry: false };
    return {
      retry: true,
      reason: `answered ${e.statusCode}`,
      afterMs: retryAfterMs(e.headers?.get?.('retry-after')),
    };
  }
  if (['ConnectionError', 'RequestTimeoutError', 'RequestAbortedError'].includes(e.name ?? ''))
    return { retry: true, reason: 'not answering' };
  return { retry: false };
}

/**
 * One call to Vercel's API: each attempt aborted at 30 s or the step's deadline, retried on 429, 5xx
 * and no answer, with progress in the log. `what` names the call in those lines and in the error.
 */
export async function callVercel<T>(
  t: VercelTarget,
  what: string,
  call: (
    core: VercelCore,
    options: RequestOptions,
  ) => PromiseLike<{ ok: true; value: T } | { ok: false; error: unknown }>,
): Promise<T> {
  const core = await vercelCore(t);
  return withRetry((signal) => unwrap(call(core, { signal })), {
    what: `Vercel API (${what})`,
    deadline: t.budget?.deadline ?? Date.now() + (t.budget?.callMs ?? 120_000),
    log: t.budget?.log ?? (() => undefined),
    classify: classifyVercelError,
  });
}

/** A standalone function's result, or its error thrown as the SDK's client class would throw it. */
async function unwrap<T>(
  result: PromiseLike<{ ok: true; value: T } | { ok: false; error: unknown }>,
): Promise<T> {
  const r = await result;
  if (!r.ok) throw r.error;
  return r.value;
}

export const team = (t: VercelTarget) => (t.teamId ? { teamId: t.teamId } : {});

/** Vercel's error body, or the SDK's message: `{ error: { code, message } }`. */
export function vercelError(err: unknown): { status?: number; code?: string; message: string } {
  const e = err as { statusCode?: number; body?: string; message?: string };
  try {
    const body = JSON.parse(e.body ?? '') as { error?: { code?: string; message?: string } };
    return {
      status: e.statusCode,
      code: body.error?.code,
      message: body.error?.message ?? e.message ?? String(err),
    };
  } catch {
    return { status: e.statusCode, message: e.message ?? String(err) };
  }
}
