import { glob } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type DatabaseTarget, readDatabaseTarget } from '../db/target.js';
import { InputError } from '../errors.js';
import { PREFLIGHT_CHECK_INPUTS } from '../inputs/preflight-check.js';
import {
  type InputReader,
  parseDuration,
  parseHttpUrl,
  parseInteger,
  parseLines,
  parseList,
  parseName,
  parseSecretToken,
  resolvePath,
} from '../runner/inputs.js';
import { parseOutputPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import {
  compileJsonConditions,
  HEALTHY_BODY,
  type JsonMatchers,
  parseJsonConditions,
} from '../validate/expect.js';
import { readVercelTarget, type VercelTarget } from '../vercel/target.js';
import { DEFAULT_REQUIRED_ENV } from './collectors/vercel-env.js';

export interface NamedUrl {
  name: string;
  url: string;
}

export interface PreflightInputs {
  endpoints: NamedUrl[];
  monitoring: NamedUrl[];
  expectStatus: (status: number) => boolean;
  /** What a staging health endpoint's body must say (expect-json); monitoring endpoints are judged by status. */
  endpointBody: JsonMatchers;
  timeoutMs: number;
  retries: number;
  tlsHosts: string[];
  tlsMinDays: number;
  database: DatabaseTarget | undefined;
  coverage: { path: string; display: string } | undefined;
  sarif: { path: string; display: string }[];
  githubToken: string | undefined;
  /** The environment whose protection is checked (with githubToken). */
  environment: string | undefined;
  vercel: { target: VercelTarget; required: string[] } | undefined;
  /** A file of the workspace, or a URL serving the manifest (`remote`). */
  backupManifest: { source: string; display: string; remote: boolean } | undefined;
  factsFile: string;
  extraFacts: { path: string; display: string }[];
}

function parseNamedUrls(input: string, raw: string): NamedUrl[] {
  const seen = new Set<string>();
  return parseLines(raw).map((line) => {
    const eq = line.indexOf('=');
    const name = line.slice(0, eq).trim();
    const url = line.slice(eq + 1).trim();
    let ok = eq > 0 && name !== '';
    if (ok) {
      try {
        ok = ['http:', 'https:'].includes(new URL(url).protocol);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new InputError(
        input,
        `the line "${line}" is not name=url`,
        'Write one endpoint per line as name=https://host/path, e.g. web=https://staging.example.com/health.',
      );
    }
    if (seen.has(name))
      throw new InputError(input, `the name "${name}" is used twice`, 'Give every endpoint its own name.');
    seen.add(name);
    return { name, url };
  });
}

function parseExpectStatus(raw: string): (status: number) => boolean {
  const value = raw.trim() || '2xx';
  const parts = value.split(',').map((p) => p.trim());
  const tests = parts.map((p) => {
    if (/^[1-5]xx$/.test(p)) return (s: number) => Math.floor(s / 100) === Number(p[0]);
    if (/^[1-5]\d\d$/.test(p)) return (s: number) => s === Number(p);
    throw new InputError(
      'expect-status',
      `"${p}" is not a status or a class`,
      'Write statuses or classes separated by commas, e.g. 2xx or 200,204.',
    );
  });
  return (s) => tests.some((t) => t(s));
}

async function expandGlobs(
  input: string,
  raw: string,
  workspace: string,
): Promise<{ path: string; display: string }[]> {
  const out: { path: string; display: string }[] = [];
  for (const pattern of parseList(raw)) {
    const before = out.length;
    for await (const file of glob(pattern, { cwd: workspace })) {
      const path = resolvePath(workspace, file);
      out.push({ path, display: relative(workspace, path) || file });
    }
    if (out.length === before) {
      throw new InputError(
        input,
        `"${pattern}" matches no file`,
        'Check the path or glob (relative to the workspace), or leave the input empty.',
      );
    }
  }
  return out;
}

const file = (workspace: string, value: string) => ({ path: resolvePath(workspace, value), display: value });

/**
 * Every input read and checked before the first probe. The database URL is masked here, as it is read;
 * the other secrets are the caller's to mask first.
 */
export async function readPreflightInputs(
  input: InputReader,
  ctx: RunContext,
  mask: (secret: string) => void,
): Promise<PreflightInputs> {
  const vercel = readVercelTarget(input, { optional: true });
  const backup = input('backup-manifest');
  const remoteBackup = /^https?:\/\//.test(backup);
  // Checked here, before the first probe: a collector would only record the problem as a failed fact.
  if (remoteBackup) parseHttpUrl('backup-manifest', backup, 'the backup manifest URL');
  for (const name of parseList(input('required-env'))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,255}$/.test(name))
      throw new InputError(
        'required-env',
        `${JSON.stringify(name.slice(0, 64))} is not an environment variable name`,
        'List variable names (letters, digits and _), comma or newline separated, e.g. DATABASE_URL.',
      );
  }
  return {
    endpoints: parseNamedUrls('endpoints', input('endpoints')),
    monitoring: parseNamedUrls('monitoring-endpoints', input('monitoring-endpoints')),
    expectStatus: parseExpectStatus(input('expect-status')),
    endpointBody: await compileJsonConditions(
      parseJsonConditions('expect-json', input('expect-json'), HEALTHY_BODY),
      'expect-json',
      'expect-json',
    ),
    timeoutMs: parseDuration('timeout', input('timeout'), 10_000, PREFLIGHT_CHECK_INPUTS.timeout),
    retries: parseInteger('retries', input('retries'), 2, PREFLIGHT_CHECK_INPUTS.retries),
    tlsHosts: parseList(input('tls-hosts')).map((h) => {
      const port = Number(/:(\d+)$/.exec(h)?.[1] ?? 443);
      if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(h) || port < 1 || port > 65535) {
        throw new InputError(
          'tls-hosts',
          `"${h.slice(0, 80)}" is not a host or host:port (port 1 to 65535)`,
          'List host names, one per line, e.g. neonpro.healthcare or api.example.com:8443 (no scheme).',
        );
      }
      return h;
    }),
    tlsMinDays: parseInteger(
      'tls-min-days',
      input('tls-min-days'),
      14,
      PREFLIGHT_CHECK_INPUTS['tls-min-days'],
    ),
    database: readDatabaseTarget(input, mask, { optional: true }),
    coverage: input('coverage-file') ? file(ctx.workspace, input('coverage-file')) : undefined,
    sarif: await expandGlobs('sarif-files', input('sarif-files'), ctx.workspace),
    githubToken: input('github-token') ? parseSecretToken('github-token', input('github-token')) : undefined,
    environment:
      parseName('protected-environment', input('protected-environment'), 'a GitHub environment name', {
        spaces: true,
      }) || undefined,
    vercel: vercel
      ? {
          target: vercel,
          required: input('required-env') ? parseList(input('required-env')) : DEFAULT_REQUIRED_ENV,
        }
      : undefined,
    backupManifest: backup
      ? {
          source: remoteBackup ? backup : resolvePath(ctx.workspace, backup),
          display: backup,
          remote: remoteBackup,
        }
      : undefined,
    factsFile: input('facts-file')
      ? parseOutputPath('facts-file', input('facts-file'), ctx)
      : join(ctx.runnerTemp, 'deploy-gates', 'facts.json'),
    extraFacts: parseList(input('extra-facts')).map((f) => file(ctx.workspace, f)),
  };
}
