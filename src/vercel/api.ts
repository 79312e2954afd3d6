import type { Vercel } from '@vercel/sdk';

export interface VercelTarget {
  token: string;
  project: string;
  teamId: string | undefined;
  apiUrl: string;
}

/** The SDK with retries on 429 and 5xx (it honours Retry-After); only this module talks to Vercel's API. */
export async function vercelApi(t: VercelTarget): Promise<Vercel> {
  const { Vercel } = await import('@vercel/sdk');
  return new Vercel({
    bearerToken: t.token,
    serverURL: t.apiUrl,
    retryConfig: {
      strategy: 'backoff',
      backoff: { initialInterval: 250, maxInterval: 10_000, exponent: 2, maxElapsedTime: 60_000 },
      retryConnectionErrors: true,
    },
  });
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
