import type { Check } from './checks.js';
import type { CheckSamples, Sample } from './sample.js';
import type { Metric, Target, Threshold } from './thresholds.js';

export interface LatencyStats {
  min: number;
  avg: number;
  med: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Argo Rollouts' analysis verdicts: too many failed measurements (fail), or too many probes without an
 * answer, in a row or in all (error).
 */
export type CheckVerdict = 'pass' | 'fail' | 'error';

export interface Limits {
  /** Failed samples a check may have and still pass. */
  failureLimit: number;
  /** Errored samples in a row a check may have and still count. */
  consecutiveErrorLimit: number;
}

export interface CheckFacts {
  name: string;
  method: string;
  url: string;
  tags: string[];
  samples: number;
  succeeded: number;
  failed: number;
  errored: number;
  maxConsecutiveErrors: number;
  errorRate: number | null;
  latencyMs: LatencyStats | null;
  verdict: CheckVerdict;
  /** The last problem seen, one line. */
  lastProblem?: string;
}

export interface ThresholdFacts extends Threshold {
  /** null when no sample of the target got a response (nothing to judge). */
  measured: number | null;
  samples: number;
  checks: string[];
}

export interface ValidationFacts {
  baseUrl: string | null;
  limits: Limits;
  checks: CheckFacts[];
  thresholds: ThresholdFacts[];
  totals: { samples: number; errorRate: number | null; latencyMs: LatencyStats | null };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Nearest-rank percentile, as k6 and most load tools report it. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function latencyStats(samples: readonly Sample[]): LatencyStats | null {
  // Errored probes have no response time: their latency is how long our client waited.
  const values = samples
    .filter((s) => s.outcome !== 'error')
    .map((s) => s.latencyMs)
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  return {
    min: round(values[0] ?? 0),
    avg: round(values.reduce((a, b) => a + b, 0) / values.length),
    med: round(percentile(values, 50)),
    p90: round(percentile(values, 90)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.at(-1) ?? 0),
  };
}

/**
 * Samples that failed or got no answer, over all samples: a reset, a refused connection or a timeout is
 * what a user would have got too (k6's http_req_failed, Argo's error measurements). Null only without samples.
 */
function errorRate(samples: readonly Sample[]): number | null {
  if (samples.length === 0) return null;
  return Math.round((samples.filter((s) => s.outcome !== 'success').length / samples.length) * 1e4) / 1e4;
}

function maxRun(samples: readonly Sample[]): number {
  let run = 0;
  let max = 0;
  for (const s of samples) {
    run = s.outcome === 'error' ? run + 1 : 0;
    max = Math.max(max, run);
  }
  return max;
}

/** True when at least half the samples got no answer: such a check never passes, whatever the limits. */
export function mostlyErrored(samples: readonly Sample[]): boolean {
  return samples.length > 0 && samples.filter((s) => s.outcome === 'error').length * 2 >= samples.length;
}

function verdictOf(samples: readonly Sample[], limits: Limits): CheckVerdict {
  const failed = samples.filter((s) => s.outcome === 'failure').length;
  if (failed > limits.failureLimit) return 'fail';
  if (maxRun(samples) > limits.consecutiveErrorLimit || mostlyErrored(samples)) return 'error';
  return 'pass';
}

function checkFacts(run: CheckSamples, limits: Limits): CheckFacts {
  const { check, samples } = run;
  const count = (o: Sample['outcome']) => samples.filter((s) => s.outcome === o).length;
  const lastProblem = samples.findLast((s) => s.problem)?.problem;
  return {
    name: check.name,
    method: check.method ?? 'GET',
    url: run.url,
    tags: check.tags ?? [],
    samples: samples.length,
    succeeded: count('success'),
    failed: count('failure'),
    errored: count('error'),
    maxConsecutiveErrors: maxRun(samples),
    errorRate: errorRate(samples),
    latencyMs: latencyStats(samples),
    verdict: verdictOf(samples, limits),
    ...(lastProblem ? { lastProblem } : {}),
  };
}

function inTarget(check: Check, target: Target): boolean {
  if (target === 'all') return true;
  if (target.startsWith('tag:')) return (check.tags ?? []).includes(target.slice(4));
  return check.name === target.slice(6);
}

function measure(metric: Metric, samples: readonly Sample[]): number | null {
  if (metric === 'error_rate') return errorRate(samples);
  return latencyStats(samples)?.[metric] ?? null;
}

/** The facts post-validate hands to the policy engine: per check, per threshold, and in total. */
export function toValidationFacts(
  runs: readonly CheckSamples[],
  thresholds: readonly Threshold[],
  limits: Limits,
  baseUrl: string | undefined,
): ValidationFacts {
  const all = runs.flatMap((r) => r.samples);
  return {
    baseUrl: baseUrl ?? null,
    limits,
    checks: runs.map((r) => checkFacts(r, limits)),
    thresholds: thresholds.map((t) => {
      const matching = runs.filter((r) => inTarget(r.check, t.target));
      const samples = matching.flatMap((r) => r.samples);
      return {
        ...t,
        measured: measure(t.metric, samples),
        samples: samples.length,
        checks: matching.map((r) => r.check.name),
      };
    }),
    totals: { samples: all.length, errorRate: errorRate(all), latencyMs: latencyStats(all) },
  };
}
