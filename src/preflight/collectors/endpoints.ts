import { type ProbeErrorClass, probe } from '../../probe/http-probe.js';
import { mapLimit } from '../../util/concurrency.js';
import { RetryExhaustedError, withRetry } from '../../util/retry.js';
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

/** One probe judged: a retryable outcome is thrown (as NotYetHealthy) so withRetry tries again. */
async function probeOnce(url: string, s: ProbeSettings, attempt: number): Promise<EndpointFacts> {
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
  const errorClass = ok ? null : bodyProblem ? 'body' : (res.error?.class ?? 'http');
  const error = bodyProblem
    ? `status ${res.status}, but ${bodyProblem}`
    : (res.error?.message ?? `status ${res.status}`);
  const facts: EndpointFacts = {
    url,
    ok,
    status: res.status ?? null,
    latencyMs: res.latencyMs,
    attempts: attempt,
    retries: attempt - 1,
    errorClass,
    ...(ok ? {} : { error }),
  };
  // A 4xx or a body saying unhealthy will not get better by asking again; no answer or a 5xx might.
  if (!ok && (res.status === undefined || res.status >= 500)) throw new NotYetHealthy(facts);
  return facts;
}

/** An endpoint that gave no answer or a 5xx: worth another try, and the facts if it stays so. */
class NotYetHealthy extends Error {
  override readonly name = 'NotYetHealthy';
  constructor(readonly facts: EndpointFacts) {
    super(facts.error);
  }
}

async function probeWithRetries(url: string, s: ProbeSettings): Promise<EndpointFacts> {
  return withRetry((_signal, attempt) => probeOnce(url, s, attempt), {
    what: 'Endpoint',
    attempts: s.retries + 1,
    // The probe keeps its own time limit; there is no step deadline beyond the attempts.
    attemptTimeoutMs: s.timeoutMs,
    initialDelayMs: s.backoffMs,
    maxDelayMs: Number.POSITIVE_INFINITY,
    jitter: (backoff) => Math.random() * backoff * 0.5,
    // A collector has no log: what its retries did is in the facts (attempts, retries).
    log: () => undefined,
    classify: (err) =>
      err instanceof NotYetHealthy ? { retry: true, reason: err.message } : { retry: false },
  }).catch((err: unknown) => {
    if (err instanceof RetryExhaustedError && err.cause instanceof NotYetHealthy) return err.cause.facts;
    throw err;
  });
}

/** Every named URL probed concurrently; the facts are keyed by name. */
export async function collectEndpoints(
  endpoints: readonly NamedUrl[],
  settings: ProbeSettings,
): Promise<Record<string, EndpointFacts>> {
  const results = await mapLimit(endpoints, settings.concurrency, (e) => probeWithRetries(e.url, settings));
  return Object.fromEntries(endpoints.map((e, i) => [e.name, results[i] as EndpointFacts]));
}
