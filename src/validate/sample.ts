import { setTimeout as sleep } from 'node:timers/promises';
import { type ProbeErrorClass, probe } from '../probe/http-probe.js';
import { mapLimit } from '../util/concurrency.js';
import { type Check, checkUrl } from './checks.js';
import { compileJsonConditions, type JsonMatchers, judgeBody } from './expect.js';

/**
 * success: the response met every expectation; failure: a response came and an expectation was false;
 * error: no response (DNS, refused, reset, TLS, our own timeout). Users get no answer either, so an error
 * counts in the error rate as k6's http_req_failed and Argo's error measurements count it.
 */
export type SampleOutcome = 'success' | 'failure' | 'error';

export interface Sample {
  n: number;
  at: string;
  outcome: SampleOutcome;
  status?: number;
  latencyMs: number;
  /** Why it failed or errored, one line. Never holds the response body, at most one JSON value of it, cut short. */
  problem?: string;
  errorClass?: ProbeErrorClass;
}

export interface CheckSamples {
  check: Check;
  url: string;
  samples: Sample[];
}

export interface SamplingOptions {
  baseUrl: string | undefined;
  samples: number;
  intervalMs: number;
  initialDelayMs: number;
  /** Checks probed at the same time; 0 for all of them. */
  concurrency: number;
  timeoutMs: number;
  bearerToken: string | undefined;
  /** Vercel's Protection Bypass for Automation secret, sent to base-url's origin only. */
  protectionBypass?: string | undefined;
  onSample?: (check: Check, sample: Sample) => void;
}

type ExpectedStatus = number | string | number[] | undefined;

function statusMatches(expected: ExpectedStatus, status: number): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  if (typeof expected === 'number') return status === expected;
  if (typeof expected === 'string') return Math.floor(status / 100) === Number(expected[0]);
  return expected.includes(status);
}

function describeStatus(expected: ExpectedStatus): string {
  if (expected === undefined) return '2xx';
  return Array.isArray(expected) ? expected.join(' or ') : String(expected);
}

function judge(
  check: Check,
  matchers: JsonMatchers,
  status: number,
  latencyMs: number,
  body: string,
): string | undefined {
  const expect = check.expect ?? {};
  if (!statusMatches(expect.status, status))
    return `status ${status}, expected ${describeStatus(expect.status)}`;
  if (expect.maxLatencyMs !== undefined && latencyMs > expect.maxLatencyMs)
    return `took ${Math.round(latencyMs)} ms, more than ${expect.maxLatencyMs} ms`;
  return judgeBody(matchers, body);
}

function requestOf(check: Check, url: string, opts: SamplingOptions) {
  const headers: Record<string, string> = { 'user-agent': 'deploy-gates-post-validate', ...check.headers };
  let body: string | undefined;
  if (check.body !== undefined) {
    body = typeof check.body === 'string' ? check.body : JSON.stringify(check.body);
    if (typeof check.body !== 'string') headers['content-type'] ??= 'application/json';
  }
  if (check.auth === 'bearer' && opts.bearerToken) headers.authorization = `Bearer ${opts.bearerToken}`;
  // The deployment URL may be protected; the production domain and other hosts never see the secret.
  if (opts.protectionBypass && opts.baseUrl && new URL(url).origin === new URL(opts.baseUrl).origin)
    headers['x-vercel-protection-bypass'] = opts.protectionBypass;
  return { url, method: check.method ?? 'GET', headers, body, timeoutMs: opts.timeoutMs };
}

async function sampleCheck(
  check: Check,
  matchers: JsonMatchers,
  opts: SamplingOptions,
): Promise<CheckSamples> {
  const url = checkUrl(check, opts.baseUrl);
  const request = requestOf(check, url, opts);
  const samples: Sample[] = [];
  for (let n = 1; n <= opts.samples; n++) {
    if (n > 1 && opts.intervalMs > 0) await sleep(opts.intervalMs);
    const at = new Date().toISOString();
    const res = await probe(request);
    let sample: Sample;
    if (res.error || res.status === undefined) {
      sample = {
        n,
        at,
        outcome: 'error',
        latencyMs: res.latencyMs,
        problem: `${res.error?.class ?? 'other'}: ${res.error?.message ?? 'no response'}`,
        errorClass: res.error?.class ?? 'other',
      };
    } else {
      const judged = judge(check, matchers, res.status, res.latencyMs, res.body ?? '');
      const protectedHint =
        res.status === 401 && !request.headers['x-vercel-protection-bypass'] && check.auth !== 'bearer'
          ? ' (a protected Vercel deployment? pass its bypass secret as protection-bypass)'
          : '';
      const problem = judged && `${judged}${protectedHint}`;
      sample = {
        n,
        at,
        outcome: problem ? 'failure' : 'success',
        status: res.status,
        latencyMs: res.latencyMs,
        ...(problem ? { problem } : {}),
      };
    }
    samples.push(sample);
    opts.onSample?.(check, sample);
  }
  return { check, url, samples };
}

/** Every check `samples` times, `intervalMs` apart, up to `concurrency` checks at once (0: all). */
export async function sampleChecks(checks: readonly Check[], opts: SamplingOptions): Promise<CheckSamples[]> {
  // Every URL and expectation is checked before the first request: bad input sends nothing.
  for (const check of checks) checkUrl(check, opts.baseUrl);
  const matchers = await Promise.all(
    checks.map((c) => compileJsonConditions(c.expect?.json, 'checks', `the check "${c.name}"'s expect.json`)),
  );
  if (opts.initialDelayMs > 0) await sleep(opts.initialDelayMs);
  return mapLimit(checks, opts.concurrency || checks.length, (check, i) =>
    sampleCheck(check, matchers[i] ?? [], opts),
  );
}
