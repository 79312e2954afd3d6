import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { errorMessage, InputError } from '../errors.js';
import { type ProbeErrorClass, probe } from '../probe/http-probe.js';
import { mapLimit } from '../util/concurrency.js';
import { getAt } from '../util/json-pointer.js';
import { type Check, checkUrl } from './checks.js';

/**
 * success: the response met every expectation; failure: a response came and an expectation was false
 * (a failed measurement); error: no response (DNS, refused, TLS, our own timeout): the probe is broken,
 * which says nothing yet about the deployment.
 */
export type SampleOutcome = 'success' | 'failure' | 'error';

export interface Sample {
  n: number;
  at: string;
  outcome: SampleOutcome;
  status?: number;
  latencyMs: number;
  /** Why it failed or errored, one line. Never holds the response body. */
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
  concurrency: number;
  timeoutMs: number;
  bearerToken: string | undefined;
  onSample?: (check: Check, sample: Sample) => void;
}

type JsonMatcher = (value: unknown) => boolean;

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

/** JSON Schema expectations are compiled once per check, with the rule engine's Ajv (loaded only if needed). */
async function compileJson(check: Check): Promise<[string, JsonMatcher][]> {
  const entries = Object.entries(check.expect?.json ?? {});
  if (entries.length === 0) return [];
  const needsAjv = entries.some(([, e]) => e.schema !== undefined);
  const ajv = needsAjv ? (await import('../policy/ajv.js')).createAjv() : undefined;
  return entries.map(([pointer, e]): [string, JsonMatcher] => {
    if (e.schema !== undefined && ajv) {
      try {
        const validate = ajv.compile(e.schema);
        return [pointer, (v) => validate(v) === true];
      } catch (err) {
        throw new InputError(
          'checks',
          `the check "${check.name}" has an invalid JSON Schema at expect.json["${pointer}"]: ${errorMessage(err)}`,
          'Fix the schema (JSON Schema draft 2020-12), or compare with { equals: value } instead.',
        );
      }
    }
    return [pointer, (v) => isDeepStrictEqual(v, e.equals)];
  });
}

function judge(
  check: Check,
  matchers: [string, JsonMatcher][],
  status: number,
  latencyMs: number,
  body: string,
): string | undefined {
  const expect = check.expect ?? {};
  if (!statusMatches(expect.status, status))
    return `status ${status}, expected ${describeStatus(expect.status)}`;
  if (expect.maxLatencyMs !== undefined && latencyMs > expect.maxLatencyMs)
    return `took ${Math.round(latencyMs)} ms, more than ${expect.maxLatencyMs} ms`;
  if (matchers.length === 0) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  for (const [pointer, matches] of matchers) {
    if (!matches(getAt(doc, pointer))) return `the JSON value at ${pointer || '/'} is not as expected`;
  }
  return undefined;
}

function requestOf(check: Check, url: string, opts: SamplingOptions) {
  const headers: Record<string, string> = { 'user-agent': 'deploy-gates-post-validate', ...check.headers };
  let body: string | undefined;
  if (check.body !== undefined) {
    body = typeof check.body === 'string' ? check.body : JSON.stringify(check.body);
    if (typeof check.body !== 'string') headers['content-type'] ??= 'application/json';
  }
  if (check.auth === 'bearer' && opts.bearerToken) headers.authorization = `Bearer ${opts.bearerToken}`;
  return { url, method: check.method ?? 'GET', headers, body, timeoutMs: opts.timeoutMs };
}

async function sampleCheck(
  check: Check,
  matchers: [string, JsonMatcher][],
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
      const problem = judge(check, matchers, res.status, res.latencyMs, res.body ?? '');
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

/** Every check `samples` times, `intervalMs` apart, up to `concurrency` checks at once. */
export async function sampleChecks(checks: readonly Check[], opts: SamplingOptions): Promise<CheckSamples[]> {
  // Every URL and expectation is checked before the first request: bad input sends nothing.
  for (const check of checks) checkUrl(check, opts.baseUrl);
  const matchers = await Promise.all(checks.map(compileJson));
  if (opts.initialDelayMs > 0) await sleep(opts.initialDelayMs);
  return mapLimit(checks, opts.concurrency, (check, i) => sampleCheck(check, matchers[i] ?? [], opts));
}
