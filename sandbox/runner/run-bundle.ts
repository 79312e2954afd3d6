/**
 * Runs a committed action bundle the way the GitHub runner does: a separate Node 24 process, a
 * clean environment with the runner's variables and file commands, and everything a runner would
 * read back (outputs, state, summary, annotations, masks) parsed from what the process wrote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../../src/policy/package-root.js';
import { evaluateDefault, findActionYml, inputEnvName, readActionMetadata } from './action-metadata.js';
import { parseFileCommands, parsePathFile } from './file-commands.js';
import { resolveNode24 } from './node24.js';
import type { ActionRun, RunBundleOptions } from './types.js';
import { parseWorkflowCommands } from './workflow-commands.js';

export type { ActionMetadata, InputSpec } from './action-metadata.js';
export { evaluateDefault, findActionYml, inputEnvName, readActionMetadata } from './action-metadata.js';
export { parseFileCommands, parsePathFile } from './file-commands.js';
export type { LeakScanOptions, SecretLeak } from './secrets.js';
export { findSecretLeaks, leakedSecrets, secretParts, unmaskedSecrets } from './secrets.js';
export type { ActionRun, RunBundleOptions } from './types.js';
export type {
  Annotation,
  AnnotationLevel,
  LogGroup,
  ParsedStdout,
  WorkflowCommand,
} from './workflow-commands.js';
export { parseWorkflowCommands } from './workflow-commands.js';

// The clone, or the installed npm package when the CLI rehearses: where the action bundles are.
export const REPO_ROOT = packageRoot();

export const RUN_DEFAULTS = {
  repository: 'neonpro/healthcare-platform',
  sha: '3f786850e387550fdab836ed7e6dc881de23001b',
  ref: 'refs/heads/main',
  actor: 'octocat',
  workflow: 'playbook',
  job: 'deploy',
  stepId: '__neonpro_deploy-gates',
  eventName: 'push',
  runId: '9876543210',
  timeoutMs: 60_000,
} as const;

/** The only variables of the test process a child sees; everything else is the runner's. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ'];

export class ActionTimeoutError extends Error {
  readonly run: ActionRun;

  constructor(message: string, run: ActionRun) {
    super(message);
    this.name = 'ActionTimeoutError';
    this.run = run;
  }
}

// Run dirs are removed at exit unless KEEP_ACTION_RUNS is set, so a failing test can be inspected.
const runDirs = new Set<string>();
let exitHookInstalled = false;
function trackRunDir(dir: string): void {
  runDirs.add(dir);
  if (exitHookInstalled || process.env.KEEP_ACTION_RUNS) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of runDirs) rmSync(d, { recursive: true, force: true });
  });
}

interface RunContext {
  repository: string;
  sha: string;
  ref: string;
  actor: string;
  eventName: string;
  workspace: string;
  runnerTemp: string;
}

function defaultEvent(ctx: RunContext): object {
  const [owner = '', name = ''] = ctx.repository.split('/');
  const base = {
    repository: { full_name: ctx.repository, name, owner: { login: owner } },
    sender: { login: ctx.actor },
  };
  return ctx.eventName === 'push'
    ? { ref: ctx.ref, after: ctx.sha, head_commit: { id: ctx.sha }, ...base }
    : base;
}

function refParts(ref: string): { name: string; type: string } {
  if (ref.startsWith('refs/tags/')) return { name: ref.slice('refs/tags/'.length), type: 'tag' };
  if (ref.startsWith('refs/heads/')) return { name: ref.slice('refs/heads/'.length), type: 'branch' };
  return { name: ref.replace(/^refs\/[^/]+\//, ''), type: 'branch' };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole process group, so children the action spawned die with it.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function tail(text: string, lines = 20): string {
  return text.split('\n').slice(-lines).join('\n');
}

async function readFileCommand(file: string, label: string): Promise<Record<string, string>> {
  try {
    return parseFileCommands(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `${label} (${file}) is malformed; the runner would fail this step: ${(err as Error).message}`,
    );
  }
}

export async function runBundle(opts: RunBundleOptions): Promise<ActionRun> {
  const bundle = isAbsolute(opts.action) ? opts.action : resolve(REPO_ROOT, opts.action);
  if (!existsSync(bundle))
    throw new Error(`Action bundle ${bundle} does not exist; build it with npm run build.`);
  const node = await resolveNode24(REPO_ROOT);
  const started = performance.now();

  const runDir = await mkdtemp(join(tmpdir(), 'deploy-gates-run-'));
  trackRunDir(runDir);
  const workspace = opts.workspace ?? join(runDir, 'workspace');
  const runnerTemp = opts.runnerTemp ?? join(runDir, 'runner-temp');
  // Same layout as the runner's _temp folder; unique names let a main and a post step share RUNNER_TEMP.
  const commandsDir = join(runnerTemp, '_runner_file_commands');
  const id = randomUUID();
  const files = {
    GITHUB_OUTPUT: join(commandsDir, `set_output_${id}`),
    GITHUB_STATE: join(commandsDir, `save_state_${id}`),
    GITHUB_ENV: join(commandsDir, `set_env_${id}`),
    GITHUB_PATH: join(commandsDir, `add_path_${id}`),
    GITHUB_STEP_SUMMARY: join(commandsDir, `step_summary_${id}`),
  };
  const eventPath = join(runnerTemp, '_github_workflow', 'event.json');
  await Promise.all([
    mkdir(workspace, { recursive: true }),
    mkdir(commandsDir, { recursive: true }),
    mkdir(join(runnerTemp, '_github_workflow'), { recursive: true }),
  ]);
  await Promise.all(Object.values(files).map((f) => writeFile(f, '')));

  const ctx: RunContext = {
    repository: RUN_DEFAULTS.repository,
    sha: RUN_DEFAULTS.sha,
    ref: RUN_DEFAULTS.ref,
    actor: RUN_DEFAULTS.actor,
    eventName: opts.eventName ?? RUN_DEFAULTS.eventName,
    workspace,
    runnerTemp,
  };
  // A caller overriding GITHUB_REPOSITORY etc. through env also changes what is derived from it.
  ctx.repository = opts.env?.GITHUB_REPOSITORY ?? ctx.repository;
  ctx.sha = opts.env?.GITHUB_SHA ?? ctx.sha;
  ctx.ref = opts.env?.GITHUB_REF ?? ctx.ref;
  ctx.actor = opts.env?.GITHUB_ACTOR ?? ctx.actor;
  await writeFile(eventPath, JSON.stringify(opts.event ?? defaultEvent(ctx), null, 2));

  const ref = refParts(ctx.ref);
  const runnerEnv: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    ...files,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_EVENT_NAME: ctx.eventName,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    GITHUB_RUN_ID: String(opts.runId ?? RUN_DEFAULTS.runId),
    GITHUB_RUN_ATTEMPT: String(opts.runAttempt ?? 1),
    GITHUB_RUN_NUMBER: String(opts.runNumber ?? 1),
    GITHUB_REPOSITORY: ctx.repository,
    GITHUB_REPOSITORY_OWNER: ctx.repository.split('/')[0] ?? '',
    GITHUB_SHA: ctx.sha,
    GITHUB_REF: ctx.ref,
    GITHUB_REF_NAME: ref.name,
    GITHUB_REF_TYPE: ref.type,
    GITHUB_ACTOR: ctx.actor,
    GITHUB_TRIGGERING_ACTOR: ctx.actor,
    GITHUB_WORKFLOW: RUN_DEFAULTS.workflow,
    GITHUB_WORKFLOW_REF: `${ctx.repository}/.github/workflows/${RUN_DEFAULTS.workflow}.yml@${ctx.ref}`,
    GITHUB_JOB: RUN_DEFAULTS.job,
    GITHUB_ACTION: opts.stepId ?? RUN_DEFAULTS.stepId,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
  };
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, runnerEnv, opts.env ?? {});

  const { inputs, warnings } = resolveInputs(bundle, opts, env);
  for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value;
  // Given inputs win over opts.env, as `with:` wins over `env:` on the runner.
  Object.assign(env, inputs);

  const timeoutMs = opts.timeoutMs ?? RUN_DEFAULTS.timeoutMs;
  const child = spawn(node, [bundle], {
    cwd: opts.cwd ?? workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a timeout can kill everything the action started.
    detached: true,
  });
  const stdoutChunks: Buffer[] = [];
  const stderrChunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => stdoutChunks.push(c));
  child.stderr?.on('data', (c: Buffer) => stderrChunks.push(c));
  const closed = new Promise<void>((res) => child.once('close', () => res()));
  let timedOut = false;
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res, rej) => {
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(new Error(`Could not start ${node} ${bundle}: ${err.message}`));
    });
    const killNow = () => killGroup(child, 'SIGKILL');
    if (opts.kill?.aborted) killNow();
    opts.kill?.addEventListener('abort', killNow, { once: true });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      opts.kill?.removeEventListener('abort', killNow);
      res({ code, signal });
    });
  });
  // The runner cleans up orphans at the end of a job; a leftover child would also hold the pipes open.
  killGroup(child, 'SIGKILL');
  await closed;

  const parsed = parseWorkflowCommands(Buffer.concat(stdoutChunks).toString('utf8'));
  const run: ActionRun = {
    exitCode: exit.code,
    signal: exit.signal,
    stdout: Buffer.concat(stdoutChunks).toString('utf8'),
    stderr: Buffer.concat(stderrChunks).toString('utf8'),
    outputs: await readFileCommand(files.GITHUB_OUTPUT, 'GITHUB_OUTPUT'),
    state: await readFileCommand(files.GITHUB_STATE, 'GITHUB_STATE'),
    env: await readFileCommand(files.GITHUB_ENV, 'GITHUB_ENV'),
    path: parsePathFile(await readFile(files.GITHUB_PATH, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parsed.annotations,
    masks: parsed.masks,
    debug: parsed.debug,
    groups: parsed.groups,
    log: parsed.log,
    commands: parsed.commands,
    inputs,
    runnerWarnings: warnings,
    workspace,
    runnerTemp,
    durationMs: Math.round(performance.now() - started),
    cleanup: async () => {
      runDirs.delete(runDir);
      await rm(runDir, { recursive: true, force: true });
    },
  };
  assertDeclaredOutputs(opts.actionYml ?? findActionYml(bundle), run.outputs);
  if (timedOut) {
    throw new ActionTimeoutError(
      `${opts.action} did not finish within ${timeoutMs} ms; its process tree was killed.\n` +
        `--- stdout (tail) ---\n${tail(run.stdout)}\n--- stderr (tail) ---\n${tail(run.stderr)}`,
      run,
    );
  }
  return run;
}

/**
 * An output the action sets but its action.yml does not declare is invisible in the docs and in the
 * workflow editor's checks, though GitHub passes it on: every run of a bundle fails on one.
 */
function assertDeclaredOutputs(file: string | undefined, outputs: Record<string, string>): void {
  if (file === undefined) return;
  const declared = new Set(readActionMetadata(file).outputs);
  const undeclared = Object.keys(outputs).filter((name) => !declared.has(name));
  if (undeclared.length > 0)
    throw new Error(`${file} does not declare the output(s) the action set: ${undeclared.join(', ')}`);
}

/** INPUT_* for the given inputs plus action.yml defaults for the rest, and the runner's warnings. */
function resolveInputs(
  bundle: string,
  opts: RunBundleOptions,
  env: Record<string, string>,
): { inputs: Record<string, string>; warnings: string[] } {
  const inputs: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(opts.inputs ?? {})) inputs[inputEnvName(name)] = String(value);

  const file = opts.actionYml ?? findActionYml(bundle);
  if (file === undefined) return { inputs, warnings };
  const metadata = readActionMetadata(file);
  const declared = new Set(metadata.inputs.map((i) => inputEnvName(i.name)));
  const unexpected = Object.keys(opts.inputs ?? {}).filter((n) => !declared.has(inputEnvName(n)));
  if (unexpected.length > 0) {
    const valid = metadata.inputs.map((i) => `'${i.name}'`).join(', ');
    warnings.push(
      `Unexpected input(s) ${unexpected.map((n) => `'${n}'`).join(', ')}, valid inputs are [${valid}]`,
    );
  }
  const context = expressionContext(env);
  for (const spec of metadata.inputs) {
    const envName = inputEnvName(spec.name);
    if (envName in inputs || opts.env?.[envName] !== undefined) {
      if (spec.deprecationMessage !== undefined) {
        warnings.push(`Input '${spec.name}' has been deprecated with message: ${spec.deprecationMessage}`);
      }
      continue;
    }
    if (spec.default === undefined) continue;
    const { value, unevaluated } = evaluateDefault(spec.default, context);
    inputs[envName] = value;
    for (const expr of unevaluated) {
      warnings.push(
        `Input '${spec.name}': default ${expr} was passed unevaluated (the harness evaluates context lookups only)`,
      );
    }
  }
  return { inputs, warnings };
}

/** The context values a default may look up, from the environment the step gets. */
export function expressionContext(env: Record<string, string>): Record<string, string> {
  const pick: Record<string, string | undefined> = {
    // The runner does not export GITHUB_TOKEN to actions; tests pass the token they want through env.
    'github.token': env.GITHUB_TOKEN ?? '',
    'github.repository': env.GITHUB_REPOSITORY,
    'github.repository_owner': env.GITHUB_REPOSITORY_OWNER,
    'github.sha': env.GITHUB_SHA,
    'github.ref': env.GITHUB_REF,
    'github.ref_name': env.GITHUB_REF_NAME,
    'github.actor': env.GITHUB_ACTOR,
    'github.workflow': env.GITHUB_WORKFLOW,
    'github.job': env.GITHUB_JOB,
    'github.run_id': env.GITHUB_RUN_ID,
    'github.run_number': env.GITHUB_RUN_NUMBER,
    'github.run_attempt': env.GITHUB_RUN_ATTEMPT,
    'github.event_name': env.GITHUB_EVENT_NAME,
    'github.workspace': env.GITHUB_WORKSPACE,
    'github.server_url': env.GITHUB_SERVER_URL,
    'github.api_url': env.GITHUB_API_URL,
    'github.action': env.GITHUB_ACTION,
    'runner.os': env.RUNNER_OS,
    'runner.arch': env.RUNNER_ARCH,
    'runner.temp': env.RUNNER_TEMP,
  };
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(pick)) if (value !== undefined) context[key] = value;
  return context;
}
