import { glob } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { artifactNameProblem } from '../backup/artifact-name.js';
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
  parseSingleLine,
  quoteValue,
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
  /** In the workspace; undefined and empty when `reports` says where they are. */
  coverage: { path: string; display: string } | undefined;
  sarif: { path: string; display: string }[];
  /** The commit's CI run whose artifact holds coverage-file and sarif-files (reports-workflow, reports-artifact). */
  reports: ReportsInputs | undefined;
  githubToken: string | undefined;
  /** The environment whose protection is checked (with githubToken). */
  environment: string | undefined;
  vercel: { target: VercelTarget; required: string[] } | undefined;
  /** A file of the workspace, or a URL serving the manifest (`remote`). */
  backupManifest: { source: string; display: string; remote: boolean } | undefined;
  /** The backup drill workflow (file name or id) whose runs' artifacts hold the drills' manifests. */
  backupDrills: string | undefined;
  /** The platform's recent security incidents endpoint. */
  incidents: { url: string; token: string | undefined } | undefined;
  factsFile: string;
  extraFacts: { path: string; display: string }[];
}

export interface ReportsInputs {
  /** The workflow's file name (e.g. ci.yml) or numeric id, as GitHub's workflow_id takes it. */
  workflow: string;
  artifact: string;
  /** coverage-file and sarif-files as given: paths and globs inside the artifact. */
  coverage: string | undefined;
  sarif: string[];
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

/** Every file the patterns match under `root` (the workspace, or the reports artifact's folder). */
export async function expandGlobs(
  input: string,
  patterns: string[],
  root: string,
  { where = '', fix = 'Check the path or glob (relative to the workspace), or leave the input empty.' } = {},
): Promise<{ path: string; display: string }[]> {
  const out: { path: string; display: string }[] = [];
  for (const pattern of patterns) {
    const before = out.length;
    for await (const file of glob(pattern, { cwd: root })) {
      const path = resolvePath(root, file);
      out.push({ path, display: relative(root, path) || file });
    }
    if (out.length === before) throw new InputError(input, `"${pattern}" matches no file${where}`, fix);
  }
  return out;
}

/** A path or glob read inside the reports artifact: relative, and never above its root. */
function insideArtifact(input: string, value: string): string {
  if (isAbsolute(value) || value.split(/[\\/]/).includes('..')) {
    throw new InputError(
      input,
      `${quoteValue(value)} is read inside the reports artifact, and leaves it`,
      "Give a path relative to the artifact's root, as the upload step stored it, e.g. coverage/lcov.info.",
    );
  }
  return value;
}

/**
 * reports-workflow and reports-artifact, given together with github-token and at least one report to read
 * there; undefined when neither is given (the reports are read in the workspace).
 */
function readReports(input: InputReader, githubToken: string | undefined): ReportsInputs | undefined {
  const workflow = parseSingleLine('reports-workflow', input('reports-workflow'), { max: 120 });
  const artifact = parseSingleLine('reports-artifact', input('reports-artifact'), { max: 255 });
  if (!workflow && !artifact) return undefined;
  // A path under .github/workflows/ names the same workflow GitHub knows by its file name.
  const workflowId = workflow.replace(/^\.github\/workflows\//, '');
  if (workflow && !/^(?:\d{1,20}|[\w.-]+\.ya?ml)$/.test(workflowId)) {
    throw new InputError(
      'reports-workflow',
      `${quoteValue(workflow)} is not a workflow file name or id`,
      'Set reports-workflow to the file name of the CI workflow that uploads the reports, e.g. ci.yml.',
    );
  }
  const nameProblem = artifact ? artifactNameProblem(artifact) : undefined;
  if (nameProblem)
    throw new InputError(
      'reports-artifact',
      `${quoteValue(artifact)} ${nameProblem}`,
      'Set reports-artifact to the name the CI workflow gives its upload-artifact step, e.g. reports.',
    );
  if (!workflow)
    throw new InputError(
      'reports-artifact',
      'is set but reports-workflow is empty',
      'Set reports-workflow to the CI workflow whose run uploaded the artifact, e.g. ci.yml, or leave both empty.',
    );
  if (!artifact)
    throw new InputError(
      'reports-workflow',
      'is set but reports-artifact is empty',
      'Set reports-artifact to the name of the artifact holding the reports, e.g. reports, or leave both empty.',
    );
  if (!githubToken)
    throw new InputError(
      'reports-workflow',
      'needs github-token to find the run and download its artifact',
      'Pass github-token (the job needs actions: read); in the playbook workflow, keep check-review true.',
    );
  const coverage = input('coverage-file')
    ? insideArtifact('coverage-file', input('coverage-file'))
    : undefined;
  const sarif = parseList(input('sarif-files')).map((p) => insideArtifact('sarif-files', p));
  if (!coverage && sarif.length === 0)
    throw new InputError(
      'reports-workflow',
      'is set but neither coverage-file nor sarif-files names a report to read in the artifact',
      'Set coverage-file and sarif-files to paths inside the artifact, e.g. coverage/lcov.info and security/*.sarif.',
    );
  return { workflow: workflowId, artifact, coverage, sarif };
}

/** backup-drills: a workflow file name or id, read with github-token. */
function readBackupDrills(input: InputReader, githubToken: string | undefined): string | undefined {
  const workflow = parseSingleLine('backup-drills', input('backup-drills'), { max: 120 });
  if (!workflow) return undefined;
  const id = workflow.replace(/^\.github\/workflows\//, '');
  if (!/^(?:\d{1,20}|[\w.-]+\.ya?ml)$/.test(id))
    throw new InputError(
      'backup-drills',
      `${quoteValue(workflow)} is not a workflow file name or id`,
      'Set backup-drills to the file name of your workflow that calls backup-drill.yml on a schedule, e.g. backup-drill.yml.',
    );
  if (!githubToken)
    throw new InputError(
      'backup-drills',
      "needs github-token to read the drills' runs and their artifacts",
      'Pass github-token (the job needs actions: read); in the playbook workflow, keep check-review true.',
    );
  return id;
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
  const githubToken = input('github-token')
    ? parseSecretToken('github-token', input('github-token'))
    : undefined;
  const reports = readReports(input, githubToken);
  const incidentsToken = input('security-incidents-token')
    ? parseSecretToken('security-incidents-token', input('security-incidents-token'))
    : undefined;
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
    coverage: !reports && input('coverage-file') ? file(ctx.workspace, input('coverage-file')) : undefined,
    sarif: reports ? [] : await expandGlobs('sarif-files', parseList(input('sarif-files')), ctx.workspace),
    reports,
    githubToken,
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
    backupDrills: readBackupDrills(input, githubToken),
    incidents: input('security-incidents-url')
      ? {
          url: parseHttpUrl(
            'security-incidents-url',
            input('security-incidents-url'),
            'the incidents endpoint',
          ).href,
          token: incidentsToken,
        }
      : undefined,
    factsFile: input('facts-file')
      ? parseOutputPath('facts-file', input('facts-file'), ctx)
      : join(ctx.runnerTemp, 'deploy-gates', 'facts.json'),
    extraFacts: parseList(input('extra-facts')).map((f) => file(ctx.workspace, f)),
  };
}
