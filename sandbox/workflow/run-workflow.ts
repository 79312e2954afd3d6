import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { mapLimit } from '../../src/util/concurrency.js';
import { parseFileCommands, parsePathFile } from '../runner/file-commands.js';
import { runBundle } from '../runner/run-bundle.js';
import { type Contexts, condition, interpolate, type StatusState } from './expressions.js';
import { type Combination, expandMatrix, matrixJobName } from './matrix.js';
import { sandboxBin } from './sandbox-bin.js';
import {
  loadWorkflow,
  type Token,
  type WorkflowCall,
  type WorkflowFile,
  type WorkflowJob,
  type WorkflowStep,
} from './workflow-file.js';

export type Result = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface StepRun {
  name: string;
  id: string | undefined;
  outcome: Result;
  conclusion: Result;
  outputs: Record<string, string>;
  errors: string[];
  durationMs: number;
}

export interface JobRun {
  /** The job's id; for one run of a matrix, its name as GitHub shows it (`<job> (<values>)`). */
  id: string;
  /** The name GitHub shows and lists the job by (its `name:`, else its id): what the events carry. */
  name?: string;
  result: Result;
  outputs: Record<string, string>;
  steps: StepRun[];
  summary: string;
  durationMs: number;
  /** The environment this job deployed to, and whether its approval passed. */
  environment?: { name: string; approved: boolean };
  /** Taken over from the previous attempt ("Re-run failed jobs" keeps successful jobs). */
  reused: boolean;
  attempt: number;
  /** A job that called a reusable workflow: that workflow's run (its jobs show as `<job> / <called job>`). */
  called?: WorkflowRun;
  /** One run of a matrix: its combination (the `matrix` context). */
  combination?: Combination;
  /** A matrix job: its runs, one per combination; the job's result and outputs are made from them. */
  matrix?: JobRun[];
}

export interface WorkflowRun {
  runId: string;
  attempt: number;
  result: Result;
  jobs: Record<string, JobRun>;
  outputs: Record<string, unknown>;
  durationMs: number;
}

export type WorkflowEvent =
  | { type: 'job-start'; job: string }
  | { type: 'job-end'; job: JobRun }
  | { type: 'step-end'; job: string; step: StepRun }
  | { type: 'approval'; job: string; environment: string; approved: boolean; reused: boolean };

export interface RunWorkflowOptions {
  workflow: WorkflowFile;
  /** Where `uses: ./…` resolves. */
  repoRoot: string;
  /** GITHUB_WORKSPACE of every step. */
  workspace: string;
  inputs?: Record<string, unknown>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Overrides of the github context (sha, ref, repository, actor, …). */
  github?: Record<string, unknown>;
  /** Extra environment for every step's process (emulator URLs and the like). */
  env?: Record<string, string>;
  /** Asked before a job with an `environment:` runs; no callback means every approval is refused. */
  approve?: (job: string, environment: string) => Promise<boolean>;
  /** owner/name whose `uses: owner/name/path@ref` steps run from repoRoot; default neonpro/deploy-gates. */
  selfRepository?: string;
  /** A failed earlier attempt: "Re-run failed jobs" reruns only failed jobs and their dependents. */
  previous?: WorkflowRun;
  /** With `previous`: "Re-run all jobs" instead of "Re-run failed jobs". */
  rerunAll?: boolean;
  runId?: string;
  onEvent?: (event: WorkflowEvent) => void;
  /**
   * What a called reusable workflow gets as inputs, from what the calling job's `with:` gave: a rehearsal
   * points the caller's production endpoints at the sandbox here.
   */
  rewriteCallInputs?: (job: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /**
   * GITHUB_WORKSPACE of a called workflow's jobs, by the calling job's name and its evaluated `with:`;
   * default `workspace`. On GitHub every job has a runner of its own: the calls of a matrix over projects
   * share no files, so a rehearsal gives each call its project's checkout.
   */
  callWorkspace?: (job: string, inputs: Record<string, unknown>) => string | undefined;
  /**
   * What the runner gives JavaScript actions (not `run:` scripts) to reach the Actions results service:
   * ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, e.g. from the sandbox's artifact service.
   */
  actionsRuntime?: (runId: string, job: string, attempt: number) => Record<string, string>;
}

interface ActionMeta {
  runs?: { main?: string };
}

function resolveToken(value: Token, contexts: Contexts, state: StatusState): unknown {
  if (typeof value === 'string') return interpolate(value, contexts, state);
  if (value && typeof value === 'object') return interpolate(`\${{ ${value.expr} }}`, contexts, state);
  return value;
}

function resolveMap(
  map: Record<string, Token>,
  contexts: Contexts,
  state: StatusState,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map).map(([k, v]) => {
      const value = resolveToken(v, contexts, state);
      return [
        k,
        value === null || value === undefined
          ? ''
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
      ];
    }),
  );
}

/** Jobs whose every `needs` has finished, in file order. */
function ready(jobs: WorkflowJob[], done: Record<string, JobRun>): WorkflowJob[] {
  return jobs.filter((job) => !done[job.id] && job.needs.every((n) => done[n]));
}

/** Ancestors of a job through `needs`, for failure() at job level. */
function ancestors(job: WorkflowJob, byId: Map<string, WorkflowJob>): Set<string> {
  const out = new Set<string>();
  const visit = (id: string) => {
    for (const n of byId.get(id)?.needs ?? []) {
      if (!out.has(n)) {
        out.add(n);
        visit(n);
      }
    }
  };
  visit(job.id);
  return out;
}

/**
 * Jobs to run again in a re-run of failed jobs: the ones that failed or were cancelled, and everything
 * after them. A job its own `if:` skipped with nothing failed before it (the sign-off job without a
 * sign-off file) stays as it was, as on GitHub.
 */
function toRerun(workflow: WorkflowFile, previous: WorkflowRun): Set<string> {
  const byId = new Map(workflow.jobs.map((j) => [j.id, j]));
  const failed = new Set(
    workflow.jobs
      .filter((j) => {
        const result = previous.jobs[j.id]?.result;
        return result === undefined || result === 'failure' || result === 'cancelled';
      })
      .map((j) => j.id),
  );
  return new Set(
    workflow.jobs
      .filter((j) => failed.has(j.id) || [...ancestors(j, byId)].some((a) => failed.has(a)))
      .map((j) => j.id),
  );
}

async function runShell(script: string, env: Record<string, string>, cwd: string): Promise<ShellRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-run-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  return new Promise((resolvePromise) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env: {
        // The sandbox's `gh` comes first; everything else is the machine's.
        PATH: `${sandboxBin()}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? '',
        ...env,
        ...files,
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('close', (code) => {
      const read = (file: string) => readFileSync(file, 'utf8');
      const run: ShellRun = {
        code: code ?? 1,
        output,
        outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
        env: parseFileCommands(read(files.GITHUB_ENV)),
        path: parsePathFile(read(files.GITHUB_PATH)),
      };
      rmSync(dir, { recursive: true, force: true });
      resolvePromise(run);
    });
  });
}

interface ShellRun {
  code: number;
  output: string;
  outputs: Record<string, string>;
  /** What the step wrote to GITHUB_ENV and GITHUB_PATH: the job's later steps see it. */
  env: Record<string, string>;
  path: string[];
}

/** What steps added to the job's environment through GITHUB_ENV and GITHUB_PATH. */
interface JobAdditions {
  env: Record<string, string>;
  path: string[];
}

interface StepContext {
  options: RunWorkflowOptions;
  contexts: Contexts;
  state: StatusState;
  env: Record<string, string>;
  runnerTemp: string;
  artifacts: string;
  attempt: number;
  runId: string;
  jobId: string;
  added: JobAdditions;
}

/** The runner's GITHUB_* variables, from the same github context the expressions see. */
function runnerVariables(github: Record<string, string>): Record<string, string> {
  return {
    GITHUB_REPOSITORY: github.repository ?? '',
    GITHUB_REPOSITORY_OWNER: github.repository_owner ?? '',
    GITHUB_SHA: github.sha ?? '',
    GITHUB_REF: github.ref ?? '',
    GITHUB_ACTOR: github.actor ?? '',
    GITHUB_WORKFLOW: github.workflow ?? '',
    GITHUB_WORKFLOW_REF: github.workflow_ref ?? '',
    GITHUB_SERVER_URL: github.server_url ?? '',
  };
}

/** This repository, as reusable workflows and users name its actions (`neonpro/deploy-gates/actions/x@v1`). */
export const SELF_REPOSITORY = 'neonpro/deploy-gates';

/**
 * The folder under the repository root of an action this checkout holds: `./path`, or
 * `<self>/path@ref` (any ref: the local run stands in for every version of this repository).
 */
export function localActionPath(uses: string, self: string = SELF_REPOSITORY): string | undefined {
  if (uses.startsWith('./')) return uses;
  const prefix = self.toLowerCase();
  const at = uses.lastIndexOf('@');
  if (at < 0) return undefined;
  const name = uses.slice(0, at);
  if (name.toLowerCase() === prefix) return '.';
  if (name.toLowerCase().startsWith(`${prefix}/`)) return `./${name.slice(prefix.length + 1)}`;
  return undefined;
}

async function runStep(
  step: WorkflowStep,
  index: number,
  ctx: StepContext,
): Promise<StepRun & { summary: string }> {
  const started = Date.now();
  const name = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index + 1}`;
  const done = (
    outcome: Result,
    outputs: Record<string, string> = {},
    errors: string[] = [],
    summary = '',
  ) => ({
    name,
    id: step.id,
    outcome,
    conclusion: (outcome === 'failure' && step.continueOnError ? 'success' : outcome) as Result,
    outputs,
    errors,
    summary,
    durationMs: Date.now() - started,
  });
  const { options, contexts, state } = ctx;
  const inputs = resolveMap(step.with, contexts, state);
  const env: Record<string, string> = {
    ...ctx.env,
    ...ctx.added.env,
    ...resolveMap(step.env, contexts, state),
  };
  if (ctx.added.path.length > 0)
    env.PATH = [...ctx.added.path, sandboxBin(), options.env?.PATH ?? process.env.PATH ?? ''].join(':');

  if (step.run !== undefined) {
    const script = String(resolveToken(step.run, contexts, state));
    const result = await runShell(
      script,
      {
        RUNNER_TEMP: ctx.runnerTemp,
        ...runnerVariables(contexts.github as Record<string, string>),
        ...options.env,
        ...env,
      },
      options.workspace,
    );
    Object.assign(ctx.added.env, result.env);
    ctx.added.path.unshift(...result.path.slice().reverse());
    return done(
      result.code === 0 ? 'success' : 'failure',
      result.outputs,
      result.code === 0 ? [] : [result.output.trim().split('\n').slice(-3).join(' ')],
    );
  }
  const uses = step.uses ?? '';
  const local = localActionPath(uses, options.selfRepository ?? SELF_REPOSITORY);
  if (local !== undefined) {
    const dir = resolve(options.repoRoot, local);
    const meta = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionMeta;
    const run = await runBundle({
      action: join(dir, meta.runs?.main ?? 'dist/index.js'),
      workspace: options.workspace,
      runnerTemp: ctx.runnerTemp,
      inputs,
      env: {
        ...runnerVariables(contexts.github as Record<string, string>),
        // What the harness evaluates `${{ github.token }}` defaults of action.yml with.
        GITHUB_TOKEN: String((contexts.github as Record<string, unknown>).token ?? ''),
        ...options.actionsRuntime?.(ctx.runId, ctx.jobId, ctx.attempt),
        ...options.env,
        ...env,
      },
      runId: ctx.runId,
      runAttempt: ctx.attempt,
      stepId: step.id ?? `__${index}`,
      eventName: (contexts.github as Record<string, string>).event_name || 'workflow_dispatch',
      timeoutMs: 300_000,
    });
    const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    Object.assign(ctx.added.env, run.env);
    ctx.added.path.unshift(...run.path.slice().reverse());
    await run.cleanup();
    return done(run.exitCode === 0 ? 'success' : 'failure', run.outputs, errors, run.summary);
  }
  if (/^actions\/checkout@/.test(uses)) return done('success');
  if (/^actions\/upload-artifact@/.test(uses)) {
    const source = resolve(options.workspace, inputs.path ?? '');
    const target = join(ctx.artifacts, inputs.name ?? 'artifact');
    if (!existsSync(source))
      return done(inputs['if-no-files-found'] === 'error' ? 'failure' : 'success', {}, [
        `no files at ${inputs.path}`,
      ]);
    mkdirSync(target, { recursive: true });
    cpSync(source, join(target, source.split('/').pop() ?? 'file'), { recursive: true });
    return done('success', { 'artifact-id': inputs.name ?? 'artifact' });
  }
  if (/^actions\/download-artifact@/.test(uses)) {
    const source = join(ctx.artifacts, inputs.name ?? 'artifact');
    const target = resolve(options.workspace, inputs.path ?? '.');
    if (!existsSync(source)) return done('failure', {}, [`no artifact named ${inputs.name}`]);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true });
    return done('success', { 'download-path': target });
  }
  return done('failure', {}, [`${uses} cannot run locally`]);
}

/**
 * Runs a workflow file the way GitHub does, on this machine: jobs in `needs` order (independent jobs at the
 * same time), `if:` and `${{ }}` evaluated with GitHub's expression engine, `uses: ./…` steps executed from
 * their committed bundles through the runner harness, job outputs passed on, environment approvals asked,
 * and "Re-run failed jobs" replayed from a previous attempt.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
  const started = Date.now();
  const { workflow, previous } = options;
  const attempt = previous ? previous.attempt + 1 : 1;
  const runId = options.runId ?? previous?.runId ?? String(Date.now());
  const rerun = previous
    ? options.rerunAll
      ? new Set(workflow.jobs.map((j) => j.id))
      : toRerun(workflow, previous)
    : undefined;
  const byId = new Map(workflow.jobs.map((j) => [j.id, j]));
  const artifacts = join(tmpdir(), `deploy-gates-artifacts-${runId}`);
  const inputs = {
    ...Object.fromEntries(Object.entries(workflow.callInputs).map(([k, v]) => [k, v.default ?? ''])),
    ...options.inputs,
  };
  const github: Record<string, string> = {
    repository: 'neonpro/healthcare-platform',
    repository_owner: 'neonpro',
    sha: '0000000000000000000000000000000000000000',
    ref: 'refs/heads/main',
    actor: 'deploy-gates-demo',
    workflow: workflow.name,
    event_name: 'workflow_dispatch',
    run_id: runId,
    run_attempt: String(attempt),
    server_url: 'https://github.com',
    ...options.github,
  };
  github.workflow_ref ??= `${github.repository}/.github/workflows/${basename(workflow.path)}@${github.ref}`;
  const jobs: Record<string, JobRun> = {};

  /**
   * A job with `uses: <workflow>`: the called workflow runs as part of this run (same run id, attempt,
   * github context and artifacts), with the job's `with:` as inputs and its `secrets:` as the only secrets.
   */
  const callWorkflow = async (
    jobId: string,
    call: WorkflowCall,
    contexts: Contexts,
    state: StatusState,
    previousCall: WorkflowRun | undefined,
  ): Promise<Omit<JobRun, 'id' | 'durationMs' | 'reused' | 'attempt'>> => {
    const local = localActionPath(call.uses, options.selfRepository ?? SELF_REPOSITORY);
    if (local === undefined) {
      const error = `${call.uses} cannot run locally: only this repository's workflows can`;
      const step = { name: call.uses, id: undefined, outputs: {}, errors: [error], durationMs: 0 };
      return {
        result: 'failure',
        outputs: {},
        steps: [{ ...step, outcome: 'failure', conclusion: 'failure' }],
        summary: '',
      };
    }
    const given = Object.fromEntries(
      Object.entries(call.with).map(([k, v]) => [k, resolveToken(v, contexts, state)]),
    );
    const prefix = `${jobId} / `;
    const { approve, onEvent } = options;
    const called = await runWorkflow({
      ...options,
      workflow: await loadWorkflow(resolve(options.repoRoot, local)),
      workspace: options.callWorkspace?.(jobId, given) ?? options.workspace,
      inputs: options.rewriteCallInputs?.(jobId, given) ?? given,
      secrets:
        call.secrets === 'inherit' ? (options.secrets ?? {}) : resolveMap(call.secrets, contexts, state),
      github,
      runId,
      previous: previousCall,
      approve: approve && ((job, environment) => approve(prefix + job, environment)),
      onEvent:
        onEvent &&
        ((e) =>
          onEvent(
            e.type === 'job-end'
              ? { ...e, job: { ...e.job, id: prefix + e.job.id, name: prefix + (e.job.name ?? e.job.id) } }
              : { ...e, job: prefix + e.job },
          )),
    });
    const outputs = Object.fromEntries(
      Object.entries(called.outputs).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v ?? ''),
      ]),
    );
    return { result: called.result, outputs, steps: [], summary: '', called };
  };

  const runJob = async (job: WorkflowJob): Promise<JobRun> => {
    const jobStarted = Date.now();
    const earlier = previous?.jobs[job.id];
    if (rerun && !rerun.has(job.id) && earlier) return { ...earlier, reused: true };
    const needs = Object.fromEntries(
      job.needs.map((n) => [n, { result: jobs[n]?.result, outputs: jobs[n]?.outputs ?? {} }]),
    );
    // Status functions see the whole chain of needs: a job after a skipped one is skipped too, even
    // when the job between them ran through its own if: (GitHub's rule; actions/runner#2205).
    const chain = [...ancestors(job, byId)].map((a) => jobs[a]?.result);
    const jobState: StatusState = {
      failed: chain.includes('failure'),
      cancelled: false,
      skipped: chain.some((r) => r !== 'success' && r !== 'failure'),
    };
    const base: Contexts = {
      github,
      inputs,
      needs,
      secrets: options.secrets ?? {},
      vars: options.vars ?? {},
      runner: { os: 'Linux', temp: '' },
    };
    const finish = (run: Omit<JobRun, 'id' | 'durationMs' | 'reused' | 'attempt'>): JobRun => ({
      id: job.id,
      durationMs: Date.now() - jobStarted,
      reused: false,
      attempt,
      ...run,
    });
    // The job's `if:` comes first: a skipped job's matrix is never evaluated.
    if (!condition(job.if, base, jobState))
      return finish({ result: 'skipped', outputs: {}, steps: [], summary: '' });
    if (job.call && !job.strategy) {
      options.onEvent?.({ type: 'job-start', job: job.id });
      return finish(await callWorkflow(job.id, job.call, base, jobState, earlier?.called));
    }
    if (!job.strategy) {
      const shown = job.name === undefined ? job.id : String(interpolate(job.name, base, jobState));
      return runSteps(job, job.id, shown, base, jobState, earlier, { cancelled: false });
    }

    const expanded = expandMatrix(job.strategy, base, jobState);
    if (expanded.error !== undefined) {
      const step = {
        name: 'strategy.matrix',
        id: undefined,
        outputs: {},
        errors: [expanded.error],
        durationMs: 0,
      };
      return finish({
        result: 'failure',
        outputs: {},
        steps: [{ ...step, outcome: 'failure', conclusion: 'failure' }],
        summary: '',
      });
    }
    // Up to max-parallel combinations run at once (all of them by default; environments included, so
    // their approvals are pending together). With fail-fast, the first failure cancels the others: one
    // still waiting for its approval is cancelled once the approval is answered, one running stops
    // before its next step, one not started yet never starts.
    const { combinations, failFast, maxParallel } = expanded;
    const stop = { cancelled: false };
    const finished: JobRun[] = [];
    const runs = await mapLimit(combinations, maxParallel, async (combination, index) => {
      const contexts: Contexts = {
        ...base,
        matrix: combination,
        strategy: {
          'fail-fast': failFast,
          'job-index': index,
          'job-total': combinations.length,
          'max-parallel': maxParallel,
        },
      };
      const name = matrixJobName(job.id, job.name, combination, contexts, jobState);
      const before = earlier?.matrix?.find((m) => m.id === name);
      let run: JobRun;
      if (job.call) {
        const started = Date.now();
        const one = (r: Omit<JobRun, 'id' | 'durationMs' | 'reused' | 'attempt'>): JobRun => ({
          id: name,
          name,
          durationMs: Date.now() - started,
          reused: false,
          attempt,
          ...r,
          combination,
        });
        if (stop.cancelled) run = one({ result: 'cancelled', outputs: {}, steps: [], summary: '' });
        else {
          options.onEvent?.({ type: 'job-start', job: name });
          run = one(await callWorkflow(name, job.call, contexts, jobState, before?.called));
        }
      } else run = { ...(await runSteps(job, name, name, contexts, jobState, before, stop)), combination };
      if (run.result === 'failure' && failFast) stop.cancelled = true;
      finished.push(run);
      options.onEvent?.({ type: 'job-end', job: run });
      return run;
    });
    const results = runs.map((r) => r.result);
    return finish({
      // As `needs.<job>.result` reads it: a failure of any run fails the matrix job.
      result: results.includes('failure')
        ? 'failure'
        : results.includes('cancelled')
          ? 'cancelled'
          : 'success',
      // GitHub keeps one set of outputs for a matrix job: a later-finishing run's non-empty values win.
      outputs: Object.assign(
        {},
        ...finished.map((r) => Object.fromEntries(Object.entries(r.outputs).filter(([, v]) => v !== ''))),
      ),
      steps: [],
      summary: runs
        .map((r) => r.summary)
        .filter(Boolean)
        .join('\n'),
      matrix: runs,
    });
  };

  /**
   * One run of a job: its environment's approval, then its steps. `id` is the job's id, or for a matrix,
   * the run's name; `name` is what GitHub shows (what the approval and the job-start event carry).
   */
  const runSteps = async (
    job: WorkflowJob,
    id: string,
    name: string,
    base: Contexts,
    jobState: StatusState,
    earlier: JobRun | undefined,
    stop: { cancelled: boolean },
  ): Promise<JobRun> => {
    const jobStarted = Date.now();
    const finish = (run: Omit<JobRun, 'id' | 'durationMs' | 'reused' | 'attempt'>): JobRun => ({
      id,
      name,
      durationMs: Date.now() - jobStarted,
      reused: false,
      attempt,
      ...run,
    });
    let environment: JobRun['environment'];
    const cancelled = () =>
      finish({
        result: 'cancelled',
        outputs: {},
        steps: [],
        summary: '',
        ...(environment ? { environment } : {}),
      });
    if (stop.cancelled) return cancelled();
    // An environment expression that evaluates to '' leaves the job without an environment, as on GitHub.
    const envName =
      job.environment !== undefined && job.environment !== null
        ? String(resolveToken(job.environment, base, jobState))
        : '';
    if (envName !== '') {
      // Environment protection rules that passed in the previous attempt pass again on a re-run.
      const passedBefore = earlier?.environment?.name === envName && earlier.environment.approved;
      const approved = passedBefore || (options.approve ? await options.approve(name, envName) : false);
      options.onEvent?.({
        type: 'approval',
        job: name,
        environment: envName,
        approved,
        reused: passedBefore,
      });
      environment = { name: envName, approved };
      if (!approved) return finish({ result: 'failure', outputs: {}, steps: [], summary: '', environment });
      if (stop.cancelled) return cancelled();
    }
    // As on GitHub, a job starts once its `if:` passed and its environment's reviewers approved it.
    options.onEvent?.({ type: 'job-start', job: name });

    const runnerTemp = mkdtempSync(join(tmpdir(), `dg-job-${job.id}-`));
    const steps: StepRun[] = [];
    const stepsContext: Record<string, unknown> = {};
    const summaries: string[] = [];
    const state: StatusState = { failed: false, cancelled: false };
    const added: JobAdditions = { env: {}, path: [] };
    for (const [index, step] of job.steps.entries()) {
      // A fail-fast cancel: the steps left run only if they ask to (always(), cancelled()).
      if (stop.cancelled) state.cancelled = true;
      const contexts: Contexts = {
        ...base,
        steps: stepsContext,
        runner: { os: 'Linux', temp: runnerTemp },
        job: { status: state.failed ? 'failure' : 'success' },
      };
      contexts.env = { ...resolveMap(job.env, contexts, state) };
      let stepRun: StepRun & { summary: string };
      if (!condition(step.if, contexts, state)) {
        stepRun = {
          name: step.name ?? step.uses ?? 'run',
          id: step.id,
          outcome: 'skipped',
          conclusion: 'skipped',
          outputs: {},
          errors: [],
          durationMs: 0,
          summary: '',
        };
      } else {
        stepRun = await runStep(step, index, {
          options,
          contexts,
          state,
          env: contexts.env as Record<string, string>,
          runnerTemp,
          artifacts,
          attempt,
          runId,
          jobId: id,
          added,
        });
      }
      if (stepRun.conclusion === 'failure') state.failed = true;
      if (step.id)
        stepsContext[step.id] = {
          outputs: stepRun.outputs,
          outcome: stepRun.outcome,
          conclusion: stepRun.conclusion,
        };
      if (stepRun.summary) summaries.push(stepRun.summary);
      const { summary: _summary, ...record } = stepRun;
      steps.push(record);
      options.onEvent?.({ type: 'step-end', job: id, step: record });
    }
    const outputs = resolveMap(job.outputs, { ...base, steps: stepsContext }, state);
    // A hosted runner is thrown away after the job: so is its RUNNER_TEMP (decrypted dumps included).
    rmSync(runnerTemp, { recursive: true, force: true });
    return finish({
      result: state.failed ? 'failure' : state.cancelled ? 'cancelled' : 'success',
      outputs,
      steps,
      summary: summaries.join('\n'),
      ...(environment ? { environment } : {}),
    });
  };

  for (let wave = ready(workflow.jobs, jobs); wave.length > 0; wave = ready(workflow.jobs, jobs)) {
    const results = await Promise.all(wave.map(runJob));
    for (const run of results) {
      jobs[run.id] = run;
      // A matrix job's runs have reported their own ends; the job itself is no job on GitHub.
      if (!run.reused && !run.matrix) options.onEvent?.({ type: 'job-end', job: run });
    }
  }

  const results = Object.values(jobs).map((j) => j.result);
  const outputs = Object.fromEntries(
    Object.entries(workflow.callOutputs).map(([k, v]) => [
      k,
      resolveToken(
        v,
        {
          jobs: Object.fromEntries(
            Object.values(jobs).map((j) => [j.id, { result: j.result, outputs: j.outputs }]),
          ),
        },
        { failed: false, cancelled: false },
      ),
    ]),
  );
  return {
    runId,
    attempt,
    result: results.includes('failure') ? 'failure' : 'success',
    jobs,
    outputs,
    durationMs: Date.now() - started,
  };
}
