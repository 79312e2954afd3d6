import { type ProbeErrorClass, probe } from '../../probe/http-probe.js';
import { mapLimit } from '../../util/concurrency.js';
import { type JsonMatchers, judgeBody } from '../../validate/expect.js';
import type { NamedUrl } from '../inputs.js';

export interface EndpointFacts {
  url: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  attempts: number;
  retries: number;
  /** http: an unexpected status; body: the expected status with a body that does not say healthy. */
  errorClass: ProbeErrorClass | 'http' | 'body' | null;
  error?: string;
}

export interface ProbeSettings {
  timeoutMs: number;
  retries: number;
  /** Backoff before retry n is base × 2^(n-1), plus up to 50 % jitter. */
  backoffMs: number;
  expectStatus: (status: number) => boolean;
  /** Conditions on the JSON body (post-validate's), judged once the status is as expected; none: status only. */
  body: JsonMatchers;
  concurrency: number;
}

async function probeWithRetries(url: string, s: ProbeSettings): Promise<EndpointFacts> {
  let attempt = 0;
  for (;;) {
    attempt++;
    // Redirects are followed (a loop is reported), as `curl -fL` would.
    const res = await probe({
      url,
      timeoutMs: s.timeoutMs,
      maxRedirects: 5,
      maxBodyBytes: s.body.length ? 65_536 : 0,
    });
    const statusOk = res.status !== undefined && s.expectStatus(res.status);
    // A 200 saying "unhealthy" is not healthy: the body is judged as post-validate judges it.
    const bodyProblem = statusOk ? judgeBody(s.body, res.body ?? '') : undefined;
    const ok = statusOk && bodyProblem === undefined;
    // A 4xx or a body saying unhealthy will not get better by asking again; no answer or a 5xx might.
    const retryable = !ok && (res.status === undefined || res.status >= 500);
    if (ok || !retryable || attempt > s.retries) {
      const errorClass = ok ? null : bodyProblem ? 'body' : (res.error?.class ?? 'http');
      const error = bodyProblem
        ? `status ${res.status}, but ${bodyProblem}`
        : (res.error?.message ?? `status ${res.status}`);
      return {
        url,
        ok,
        status: res.status ?? null,
        latencyMs: res.latencyMs,
        attempts: attempt,
        retries: attempt - 1,
        errorClass,
        ...(ok ? {} : { error }),
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
