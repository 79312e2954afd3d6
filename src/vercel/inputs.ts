import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import {
  type InputReader,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseList,
  parseName,
  parseSecretToken,
  quoteValue,
} from '../runner/inputs.js';
import { parseExistingPath, parseOutputPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import { readVercelTarget, type VercelTarget } from './target.js';

export interface DeployInputs {
  target: VercelTarget;
  path: string;
  prebuilt: boolean;
  environment: 'preview' | 'production';
  promote: boolean;
  deploymentId: string | undefined;
  aliasCheck: boolean;
  timeoutMs: number;
  sriFile: string;
  sriGlobs: string[];
  /** Where to record a GitHub Deployment; absent when github-environment is empty. */
  github: { token: string; environment: string } | undefined;
}

/** Globs inside the uploaded folder: a pattern reaching out of it (`..`, `/etc`) would hash files never deployed. */
function parseSriGlobs(raw: string): string[] {
  const patterns = parseList(raw);
  for (const pattern of patterns) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
    const bad = /[\u0000-\u001f\u007f]/.test(pattern) || pattern.length > 1024;
    if (bad || isAbsolute(pattern) || pattern.split('/').includes('..')) {
      throw new InputError(
        'sri-globs',
        `${quoteValue(pattern)} is not a glob inside working-directory`,
        'List globs relative to working-directory, one per line, without ".." or a leading "/", e.g. **/*.js.',
      );
    }
  }
  return patterns;
}

/** `log` receives the progress of Vercel calls, which all end by the step's `timeout`. */
export function readDeployInputs(
  input: InputReader,
  ctx: RunContext,
  log: (message: string) => void,
): DeployInputs {
  const vercel = readVercelTarget(input);
  const path = parseExistingPath(
    'working-directory',
    input('working-directory') || '.',
    ctx.workspace,
    'folder',
  );
  const prebuilt = parseBoolean('prebuilt', input('prebuilt'), false);
  if (prebuilt && !existsSync(join(path, '.vercel', 'output'))) {
    throw new InputError(
      'prebuilt',
      `is true but ${join(path, '.vercel/output')} does not exist`,
      'Run the build first (vercel build writes .vercel/output), or set prebuilt: false.',
    );
  }
  const githubEnvironment = parseName(
    'github-environment',
    input('github-environment'),
    'a GitHub environment name',
    {
      spaces: true,
    },
  );
  if (githubEnvironment && !input('github-token'))
    throw new InputError(
      'github-token',
      `is empty but github-environment is "${githubEnvironment}"`,
      'Pass a token with deployments: write (the default github.token works), or leave github-environment empty.',
    );
  const timeoutMs = parseDuration('timeout', input('timeout'), 600_000, { min: 1000, max: 6 * 3_600_000 });
  const environment = parseEnum('target', input('target'), ['preview', 'production'] as const, 'production');
  return {
    target: { ...vercel, budget: { deadline: Date.now() + timeoutMs, log } },
    path,
    prebuilt,
    environment,
    promote: parseBoolean('promote', input('promote'), true),
    deploymentId: parseName('deployment-id', input('deployment-id'), 'a Vercel deployment id') || undefined,
    aliasCheck: parseBoolean('alias-check', input('alias-check'), true),
    timeoutMs,
    sriFile: parseOutputPath(
      'sri-manifest',
      input('sri-manifest') || join(ctx.runnerTemp, 'deploy-gates', 'sri-manifest.json'),
      ctx,
    ),
    sriGlobs: input('sri-globs') ? parseSriGlobs(input('sri-globs')) : ['**/*.js', '**/*.css'],
    github: githubEnvironment
      ? { token: parseSecretToken('github-token', input('github-token')), environment: githubEnvironment }
      : undefined,
  };
}
