import { type ProbeErrorClass, probe } from '../../probe/http-probe.js';
import { mapLimit } from '../../util/concurrency.js';
import type { NamedUrl } from '../inputs.js';

export interface EndpointFacts {
  url: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  attempts: number;
  retries: number;
  errorClass: ProbeErrorClass | 'http' | null;
  error?: string;
}

export interface ProbeSettings {
  timeoutMs: number;
  retries: number;
  /** Backoff before retry n is base × 2^(n-1), plus up to 50 % jitter. */
  backoffMs: number;
  expectStatus: (status: number) => boolean;
  concurrency: number;
}

async function probeWithRetries(url: string, s: ProbeSettings): Promise<EndpointFacts> {
  let attempt = 0;
  for (;;) {
    attempt++;
    // Redirects are followed (a loop is reported), as `curl -fL` would.
    const res = await probe({ url, timeoutMs: s.timeoutMs, maxRedirects: 5, maxBodyBytes: 0 });
    const ok = res.status !== undefined && s.expectStatus(res.status);
    // A 4xx will not get better by asking again; no answer or a 5xx might.
    const retryable = !ok && (res.status === undefined || res.status >= 500);
    if (ok || !retryable || attempt > s.retries) {
      const errorClass = ok ? null : (res.error?.class ?? 'http');
      return {
        url,
        ok,
        status: res.status ?? null,
        latencyMs: res.latencyMs,
        attempts: attempt,
        retries: attempt - 1,
        errorClass,
        ...(ok ? {} : { error: res.error?.message ?? `status ${res.status}` }),
      };
    }
    const backoff = s.backoffMs * 2 ** (attempt - 1);
    await new Promise((r) => setTimeout(r, backoff + Math.random() * backoff * 0.5));
  }
}

/** Every named URL probed concurrently; the facts are keyed by name. */
export async function collectEndpoints(
  endpoints: readonly NamedUrl[],
  settings: ProbeSettings,
): Promise<Record<string, EndpointFacts>> {
  const results = await mapLimit(endpoints, settings.concurrency, (e) => probeWithRetries(e.url, settings));
  return Object.fromEntries(endpoints.map((e, i) => [e.name, results[i] as EndpointFacts]));
}
