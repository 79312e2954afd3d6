import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import { POST_VALIDATE_INPUTS } from '../inputs/post-validate.js';
import {
  type InputReader,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseSecretToken,
  resolvePath,
  urlOrInputError,
} from '../runner/inputs.js';
import { parseOutputPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import { assertUniqueNames, type Check, DEFAULT_CHECKS, productionChecks, readChecksFile } from './checks.js';
import type { Limits } from './measure.js';
import type { SamplingOptions } from './sample.js';
import { assertTargetsExist, effectiveThresholds, type Threshold } from './thresholds.js';

export interface ValidateInputs {
  checks: Check[];
  checksSource: string;
  thresholds: Threshold[];
  limits: Limits;
  sampling: Omit<SamplingOptions, 'onSample'>;
  failOnUnhealthy: boolean;
  factsFile: string;
}

/** An absolute http(s) origin (with an optional path prefix), or undefined when empty. */
export function readOrigin(input: string, raw: string, example: string): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  const fix = `Set ${input} to an absolute http(s) URL, e.g. ${example}.`;
  const url = urlOrInputError(input, value, `"${value}" is not a URL`, fix);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(input, `"${value}" is not an http(s) URL`, fix);
  }
  if (url.search || url.hash) {
    throw new InputError(
      input,
      `"${value}" has a query or fragment`,
      'Give the origin (and optional path prefix) only; checks add their paths.',
    );
  }
  return value;
}

/**
 * Every input read and checked before the first request is sent. The bearer token and the protection
 * bypass secret are masked by the caller.
 */
export async function readValidateInputs(
  input: InputReader,
  ctx: RunContext,
  secrets: { bearerToken: string | undefined; protectionBypass: string | undefined },
): Promise<ValidateInputs> {
  const { bearerToken, protectionBypass } = secrets;
  if (bearerToken) parseSecretToken('bearer-token', bearerToken);
  if (protectionBypass) parseSecretToken('protection-bypass', protectionBypass);
  const baseUrl = readOrigin('base-url', input('base-url'), 'https://app.example.com');
  const productionUrl = readOrigin('production-url', input('production-url'), 'https://neonpro.healthcare');
  const apiUrl = readOrigin('api-host-url', input('api-host-url'), 'https://api.neonpro.healthcare');
  if (protectionBypass && !baseUrl) {
    throw new InputError(
      'protection-bypass',
      'is set but base-url is empty',
      'The secret is sent to the deployment URL only: set base-url to it, or leave protection-bypass empty.',
    );
  }
  const checksPath = input('checks');
  const display = checksPath
    ? relative(ctx.workspace, resolvePath(ctx.workspace, checksPath)) || checksPath
    : 'the playbook defaults';
  const checks = [
    ...(checksPath ? await readChecksFile(resolvePath(ctx.workspace, checksPath), display) : DEFAULT_CHECKS),
    ...productionChecks({ productionUrl, apiUrl }),
  ];
  assertUniqueNames(checks, display);
  const needsToken = checks.filter((c) => c.auth === 'bearer').map((c) => c.name);
  if (needsToken.length > 0 && !bearerToken) {
    throw new InputError(
      'bearer-token',
      `is empty, but ${needsToken.length} check(s) send it (${needsToken.join(', ')})`,
      "Pass the test user's token from a repository or environment secret, or give those checks auth: none.",
    );
  }
  const samples = parseInteger('samples', input('samples'), 5, POST_VALIDATE_INPUTS.samples);
  const thresholds = effectiveThresholds(input('thresholds'));
  assertTargetsExist(thresholds, checks, display);
  return {
    checks,
    checksSource: checksPath || 'the playbook defaults',
    thresholds,
    limits: {
      failureLimit: parseInteger(
        'failure-limit',
        input('failure-limit'),
        0,
        POST_VALIDATE_INPUTS['failure-limit'],
      ),
      consecutiveErrorLimit: parseInteger(
        'consecutive-error-limit',
        input('consecutive-error-limit'),
        4,
        POST_VALIDATE_INPUTS['consecutive-error-limit'],
      ),
    },
    sampling: {
      baseUrl,
      samples,
      intervalMs: parseDuration('interval', input('interval'), 2_000, POST_VALIDATE_INPUTS.interval),
      initialDelayMs: parseDuration(
        'initial-delay',
        input('initial-delay'),
        0,
        POST_VALIDATE_INPUTS['initial-delay'],
      ),
      // 0: every check at once. Each check's own samples stay `interval` apart, so this only stops checks
      // from waiting for one another.
      concurrency: parseInteger('concurrency', input('concurrency'), 0, POST_VALIDATE_INPUTS.concurrency),
      timeoutMs: parseDuration('timeout', input('timeout'), 35_000, POST_VALIDATE_INPUTS.timeout),
      bearerToken,
      protectionBypass,
    },
    failOnUnhealthy: parseBoolean('fail-on-unhealthy', input('fail-on-unhealthy'), true),
    factsFile: input('facts-file')
      ? parseOutputPath('facts-file', input('facts-file'), ctx)
      : join(ctx.runnerTemp, 'deploy-gates', `post-validate-${ctx.action}.facts.json`),
  };
}
