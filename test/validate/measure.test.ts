import { describe, expect, it } from 'vitest';
import { compileJsonConditions, HEALTHY_BODY, judgeBody } from '../../src/validate/expect.js';
import { toValidationFacts } from '../../src/validate/measure.js';
import type { Sample, SampleOutcome } from '../../src/validate/sample.js';
import { effectiveThresholds } from '../../src/validate/thresholds.js';

const samples = (...outcomes: SampleOutcome[]): Sample[] =>
  outcomes.map((outcome, i) => ({
    n: i + 1,
    at: '',
    outcome,
    latencyMs: 10,
    ...(outcome === 'error' ? {} : { status: 200 }),
  }));
const facts = (s: Sample[]) =>
  toValidationFacts(
    [{ check: { name: 'health', url: '/health' }, url: 'http://x/health', samples: s }],
    effectiveThresholds(''),
    { failureLimit: 0, consecutiveErrorLimit: 4 },
    'http://x',
  );

describe('error rate and check verdicts', () => {
  it('counts a probe without an answer as an error, as k6 and Argo do', () => {
    const f = facts(samples('success', 'error', 'error', 'error', 'error'));
    expect(f.checks[0]).toMatchObject({ errorRate: 0.8, errored: 4, verdict: 'error' });
    expect(f.totals.errorRate).toBe(0.8);
    expect(f.thresholds.find((t) => t.id === 'all:error_rate<=0.05@critical')?.measured).toBe(0.8);
  });

  it('a check with at least half its samples unanswered is an error even within consecutive-error-limit', () => {
    expect(facts(samples('error', 'success', 'error', 'success')).checks[0]?.verdict).toBe('error');
    expect(facts(samples('error', 'error', 'error', ...Array(7).fill('success'))).checks[0]).toMatchObject({
      verdict: 'pass',
      errorRate: 0.3,
    });
  });

  it('every sample unanswered is an error with an error rate of 1, not a check without data', () => {
    expect(facts(samples('error', 'error')).checks[0]).toMatchObject({
      verdict: 'error',
      errorRate: 1,
      latencyMs: null,
    });
  });
});

describe('body conditions', () => {
  it("judges the platform's health shape and names the value found, on one line", async () => {
    const matchers = await compileJsonConditions(HEALTHY_BODY, 'checks', 'test');
    expect(judgeBody(matchers, '{"status":"healthy","uptime":3}')).toBeUndefined();
    expect(judgeBody(matchers, '{"status":"ok"}')).toBeUndefined();
    expect(judgeBody(matchers, '{"status":"unhealthy"}')).toBe(
      'the JSON value at /status is "unhealthy", expected one of "ok", "OK", "healthy", "pass", "up", "UP"',
    );
    expect(judgeBody(matchers, '{}')).toMatch(/^the JSON value at \/status is missing,/);
    expect(judgeBody(matchers, 'OK')).toBe('the body is not JSON');
    const long = judgeBody(matchers, JSON.stringify({ status: `x\n::error::${'y'.repeat(300)}` })) ?? '';
    expect(long).not.toContain('\n');
    expect(long.length).toBeLessThan(260);
  });
});
