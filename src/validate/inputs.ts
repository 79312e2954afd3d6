import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import {
  type InputReader,
  parseBoolean,
  parseDuration,
  parseInteger,
  resolvePath,
} from '../runner/inputs.js';
import type { RunContext } from '../runner/runner.js';
import { type Check, DEFAULT_CHECKS, readChecksFile } from './checks.js';
import type { Limits } from './measure.js';
import type { SamplingOptions } from './sample.js';
import { effectiveThresholds, type Threshold } from './thresholds.js';

export interface ValidateInputs {
  checks: Check[];
  checksSource: string;
  thresholds: Threshold[];
  limits: Limits;
  sampling: Omit<SamplingOptions, 'onSample'>;
  failOnUnhealthy: boolean;
  factsFile: string;
}

function readBaseUrl(raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(
      'base-url',
      `"${value}" is not a URL`,
      'Set base-url to an absolute http(s) URL, e.g. https://app.example.com.',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      'base-url',
      `"${value}" is not an http(s) URL`,
      'Set base-url to an absolute http(s) URL.',
    );
  }
  if (url.search || url.hash) {
    throw new InputError(
      'base-url',
      `"${value}" has a query or fragment`,
      'Give the origin (and optional path prefix) only; checks add their paths.',
    );
  }
  return value;
}

/** Every input read and checked before the first request is sent. The bearer token is masked by the caller. */
export async function readValidateInputs(
  input: InputReader,
  ctx: RunContext,
  bearerToken: string | undefined,
): Promise<ValidateInputs> {
  const baseUrl = readBaseUrl(input('base-url'));
  const checksPath = input('checks');
  const checks = checksPath
    ? await readChecksFile(
        resolvePath(ctx.workspace, checksPath),
        relative(ctx.workspace, resolvePath(ctx.workspace, checksPath)) || checksPath,
      )
    : [...DEFAULT_CHECKS];
  const needsToken = checks.filter((c) => c.auth === 'bearer').map((c) => c.name);
  if (needsToken.length > 0 && !bearerToken) {
    throw new InputError(
      'bearer-token',
      `is empty, but ${needsToken.length} check(s) send it (${needsToken.join(', ')})`,
      "Pass the test user's token from a repository or environment secret, or give those checks auth: none.",
    );
  }
  const samples = parseInteger('samples', input('samples'), 5, { min: 1, max: 1000 });
  return {
    checks,
    checksSource: checksPath || 'the playbook defaults',
    thresholds: effectiveThresholds(input('thresholds')),
    limits: {
      failureLimit: parseInteger('failure-limit', input('failure-limit'), 0, { min: 0, max: 1000 }),
      consecutiveErrorLimit: parseInteger('consecutive-error-limit', input('consecutive-error-limit'), 4, {
        min: 0,
        max: 1000,
      }),
    },
    sampling: {
      baseUrl,
      samples,
      intervalMs: parseDuration('interval', input('interval'), 2_000, { min: 0 }),
      initialDelayMs: parseDuration('initial-delay', input('initial-delay'), 0, { min: 0 }),
      concurrency: parseInteger('concurrency', input('concurrency'), 8, { min: 1, max: 100 }),
      timeoutMs: parseDuration('timeout', input('timeout'), 35_000),
      bearerToken,
    },
    failOnUnhealthy: parseBoolean('fail-on-unhealthy', input('fail-on-unhealthy'), true),
    factsFile: input('facts-file')
      ? resolvePath(ctx.workspace, input('facts-file'))
      : join(ctx.runnerTemp, 'deploy-gates', `post-validate-${ctx.action}.facts.json`),
  };
}
