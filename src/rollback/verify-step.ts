import { resolvePath } from '../runner/inputs.js';
import {
  assertUniqueNames,
  type Check,
  DEFAULT_CHECKS,
  productionChecks,
  readChecksFile,
} from '../validate/checks.js';
import { toValidationFacts } from '../validate/measure.js';
import { sampleChecks } from '../validate/sample.js';
import { effectiveThresholds, holds } from '../validate/thresholds.js';
import type { Step } from './steps.js';
import { StepFailure } from './steps.js';

/**
 * The verify pass's checks, read before the rollback changes anything: the checks file when given (bearer
 * checks left out: the rollback holds no test token), else /health with its body judged; and the API
 * host's /health when verify-api-url is given, since users reach the API there.
 */
export async function readVerifyChecks(opts: {
  checksFile: string | undefined;
  apiUrl: string | undefined;
  workspace: string;
}): Promise<Check[]> {
  const all: Check[] = opts.checksFile
    ? await readChecksFile(resolvePath(opts.workspace, opts.checksFile), opts.checksFile)
    : DEFAULT_CHECKS.filter((c) => c.url === '/health');
  const checks = [...all.filter((c) => c.auth !== 'bearer'), ...productionChecks({ apiUrl: opts.apiUrl })];
  assertUniqueNames(checks, opts.checksFile ?? 'the default checks');
  return checks;
}

/** A short post-validate pass against production after the rollback, with the same engine. */
export function verifyStep(opts: { url: string; checks: Check[] }): Step {
  const { checks } = opts;
  return {
    name: 'verify',
    title: 'Verify production',
    async run() {
      const runs = await sampleChecks(checks, {
        baseUrl: opts.url,
        samples: 3,
        intervalMs: 500,
        initialDelayMs: 0,
        concurrency: 8,
        timeoutMs: 35_000,
        bearerToken: undefined,
      });
      const facts = toValidationFacts(
        runs,
        effectiveThresholds(''),
        { failureLimit: 0, consecutiveErrorLimit: 2 },
        opts.url,
      );
      const broken = [
        ...facts.checks
          .filter((c) => c.verdict !== 'pass')
          .map((c) => `${c.name}: ${c.verdict}${c.lastProblem ? ` (${c.lastProblem})` : ''}`),
        ...facts.thresholds
          .filter(
            (t) =>
              (t.severity === 'critical' || t.severity === 'high') &&
              t.measured !== null &&
              !holds(t.measured, t.op, t.limit),
          )
          .map((t) => `${t.id} measured ${t.measured}`),
      ];
      const detail = `${facts.totals.samples} samples of ${checks.length} checks against ${opts.url}; p95 ${facts.totals.latencyMs?.p95 ?? '—'} ms, error rate ${facts.totals.errorRate ?? '—'}`;
      if (broken.length)
        throw new StepFailure(
          `Production is still unhealthy after the rollback: ${broken.join('; ')}. ${detail}.`,
          { verifyFacts: facts.totals },
        );
      return {
        status: 'done',
        detail: `Production answers: ${detail}.`,
        data: { verifyP95: facts.totals.latencyMs?.p95 ?? null },
      };
    },
  };
}
