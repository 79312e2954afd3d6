import type { VercelCore } from '@vercel/sdk/core.js';

export interface VercelTarget {
  token: string;
  project: string;
  teamId: string | undefined;
  apiUrl: string;
}

/**
 * The SDK's core with retries on 429 and 5xx (it honours Retry-After); only the vercel modules talk to
 * Vercel's API. Calls go through the SDK's standalone functions, each imported where it is used: the
 * whole client class costs well over a second to load, and every action would pay it at start.
 */
export async function vercelCore(t: VercelTarget): Promise<VercelCore> {
  const { VercelCore } = await import('@vercel/sdk/core.js');
  return new VercelCore({
    bearerToken: t.token,
    serverURL: t.apiUrl,
    retryConfig: {
      strategy: 'backoff',
      backoff: { initialInterval: 250, maxInterval: 10_000, exponent: 2, maxElapsedTime: 60_000 },
      retryConnectionErrors: true,
    },
  });
}

/** A standalone function's result, or its error thrown as the SDK's client class would throw it. */
export async function unwrap<T>(
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
