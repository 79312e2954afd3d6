import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import { VERCEL_DEPLOY_INPUTS } from '../inputs/vercel-deploy.js';
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
import { firstMatch } from './sri.js';
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

/**
 * Globs inside the uploaded folder: a pattern reaching out of it (`..`, `/etc`) would hash files never
 * deployed, and one matching no file there (a typo, a line break splitting one glob in two) would leave
 * out the assets it was written for while the step passes. `root` is the folder the manifest hashes.
 */
function parseSriGlobs(raw: string, root: string | undefined): string[] {
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
    if (root && !firstMatch(root, pattern))
      throw new InputError(
        'sri-globs',
        `${quoteValue(pattern)} matches no file in ${root}`,
        'List globs that match the built assets, one per line (e.g. **/*.js), relative to working-directory (.vercel/output/static with prebuilt).',
      );
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
  const timeoutMs = parseDuration('timeout', input('timeout'), 600_000, VERCEL_DEPLOY_INPUTS.timeout);
  const environment = parseEnum('target', input('target'), VERCEL_DEPLOY_INPUTS.target.values, 'production');
  const deploymentId =
    parseName('deployment-id', input('deployment-id'), 'a Vercel deployment id') || undefined;
  // The assets are hashed only when this step uploads them; a deployment-id is promoted as it is.
  const sriRoot = deploymentId ? undefined : prebuilt ? join(path, '.vercel', 'output', 'static') : path;
  return {
    target: { ...vercel, budget: { deadline: Date.now() + timeoutMs, log } },
    path,
    prebuilt,
    environment,
    promote: parseBoolean('promote', input('promote'), true),
    deploymentId,
    aliasCheck: parseBoolean('alias-check', input('alias-check'), true),
    timeoutMs,
    sriFile: parseOutputPath(
      'sri-manifest',
      input('sri-manifest') || join(ctx.runnerTemp, 'deploy-gates', 'sri-manifest.json'),
      ctx,
    ),
    sriGlobs: input('sri-globs') ? parseSriGlobs(input('sri-globs'), sriRoot) : ['**/*.js', '**/*.css'],
    github: githubEnvironment
      ? { token: parseSecretToken('github-token', input('github-token')), environment: githubEnvironment }
      : undefined,
  };
}
