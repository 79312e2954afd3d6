import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import {
  type InputReader,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseList,
  requireInput,
  resolvePath,
} from '../runner/inputs.js';
import type { RunContext } from '../runner/runner.js';
import type { VercelTarget } from './api.js';

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

export function readDeployInputs(input: InputReader, ctx: RunContext): DeployInputs {
  const token = requireInput('vercel-token', input('vercel-token'), 'a Vercel access token from a secret');
  const project = requireInput('vercel-project', input('vercel-project'), 'the Vercel project name or id');
  const apiUrl = input('api-url') || 'https://api.vercel.com';
  try {
    if (!/^https?:$/.test(new URL(apiUrl).protocol)) throw new Error('scheme');
  } catch {
    throw new InputError(
      'api-url',
      `"${apiUrl}" is not an http(s) URL`,
      'Leave it empty for https://api.vercel.com, or give a proxy URL.',
    );
  }
  const path = resolvePath(ctx.workspace, input('working-directory') || '.');
  if (!existsSync(path))
    throw new InputError(
      'working-directory',
      `${input('working-directory')} does not exist`,
      'Point it at the app folder (the one holding the build output).',
    );
  const prebuilt = parseBoolean('prebuilt', input('prebuilt'), false);
  if (prebuilt && !existsSync(join(path, '.vercel', 'output'))) {
    throw new InputError(
      'prebuilt',
      `is true but ${join(path, '.vercel/output')} does not exist`,
      'Run the build first (vercel build writes .vercel/output), or set prebuilt: false.',
    );
  }
  const githubEnvironment = input('github-environment');
  if (githubEnvironment && !input('github-token'))
    throw new InputError(
      'github-token',
      `is empty but github-environment is "${githubEnvironment}"`,
      'Pass a token with deployments: write (the default github.token works), or leave github-environment empty.',
    );
  const environment = parseEnum('target', input('target'), ['preview', 'production'] as const, 'production');
  return {
    target: { token, project, teamId: input('vercel-team') || undefined, apiUrl: apiUrl.replace(/\/+$/, '') },
    path,
    prebuilt,
    environment,
    promote: parseBoolean('promote', input('promote'), true),
    deploymentId: input('deployment-id') || undefined,
    aliasCheck: parseBoolean('alias-check', input('alias-check'), true),
    timeoutMs: parseDuration('timeout', input('timeout'), 600_000),
    sriFile: resolvePath(
      ctx.workspace,
      input('sri-manifest') || join(ctx.runnerTemp, 'deploy-gates', 'sri-manifest.json'),
    ),
    sriGlobs: input('sri-globs') ? parseList(input('sri-globs')) : ['**/*.js', '**/*.css'],
    github: githubEnvironment ? { token: input('github-token'), environment: githubEnvironment } : undefined,
  };
}
