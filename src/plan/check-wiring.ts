import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { ACTION_INPUTS } from '../inputs/index.js';
import { detectTool, type MigrateMode, resolveMigrationCommand } from '../migrate/tools.js';
import { parseHooks } from '../rollback/hooks.js';
import type { InputDeclarations } from '../runner/declared-inputs.js';
import { parseSingleLine, quoteValue } from '../runner/inputs.js';
import { parseExistingPath } from '../runner/paths.js';
import type { RunContext, Runner } from '../runner/runner.js';
import { splitCommandLine } from '../util/command-line.js';
import { type Contexts, condition, interpolate, referenced } from './expressions.js';
import { defaultValue, type PlanInputs } from './inputs.js';
import { GITHUB_TOKEN_PLACEHOLDER, jobPlaceholders, SECRET_MARK, secretPlaceholder } from './placeholders.js';
import { ELSEWHERE, START_READERS } from './readers.js';
import type { PlaybookWiring, WiredStep } from './wiring.js';

/** One wiring problem: what the caller must fix (a workflow input or secret), and how. */
export interface Problem {
  /** "Workflow input max-approval-age", "Workflow secret VALIDATION_TOKEN", or the job for a value it sets. */
  target: string;
  message: string;
}

/** Where an action input's value comes from in the workflow. */
type Source = { kind: 'input' | 'secret'; name: string } | { kind: 'job' };

interface State {
  inputs: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
}

const declaredInputs = (action: string): InputDeclarations =>
  (ACTION_INPUTS as Record<string, InputDeclarations>)[action] ?? {};

function contextsFor(wiring: PlaybookWiring, state: State): Contexts {
  return {
    inputs: state.inputs,
    secrets: Object.fromEntries(
      Object.keys(wiring.secrets).map((name) => [name, state.secretsSet[name] ? SECRET_MARK : '']),
    ),
    github: { token: GITHUB_TOKEN_PLACEHOLDER },
    needs: jobPlaceholders(wiring.jobOutputs, String(state.inputs['backup-storage'] ?? '')),
    steps: {},
  };
}

/**
 * The inputs the step's action gets, as the runner hands them over: the `with:` value evaluated, or the
 * action.yml default; trimmed. A set secret becomes a valid placeholder of the input it reaches.
 */
function stepValues(step: WiredStep, contexts: Contexts, ctx: RunContext): Record<string, string> {
  const declared = declaredInputs(step.action);
  const values: Record<string, string> = {};
  for (const name of new Set([...Object.keys(declared), ...Object.keys(step.with)])) {
    let value = interpolate(step.with[name] ?? declared[name]?.default ?? '', contexts).trim();
    if (value.includes(SECRET_MARK)) value = secretPlaceholder(name, declared[name]);
    if (value && ELSEWHERE[step.action]?.includes(name)) {
      parseSingleLine(name, value, { max: 1024 });
      value = join(ctx.runnerTemp, 'deploy-gates-plan', name);
    }
    values[name] = value;
  }
  return values;
}

/**
 * Whether the step can run with these inputs: its `if:` judged with the status functions of a job going
 * its way (success(), always() and failure() true, cancelled() false). An `if:` plan cannot judge counts
 * as true: the step is checked.
 */
function mayRun(step: WiredStep, contexts: Contexts): boolean {
  if (step.if === undefined || step.if.trim() === '') return true;
  const judged = step.if.replace(/\b(success|always|failure|cancelled)\(\s*\)/g, (_, fn: string) =>
    fn === 'cancelled' ? 'false' : 'true',
  );
  try {
    return condition(judged, contexts);
  } catch {
    return true;
  }
}

/** The workflow input or secret behind an action input: the one whose value the action gets, else the first. */
function sourceOf(step: WiredStep, actionInput: string, state: State, value: string): Source {
  const template = step.with[actionInput];
  if (template === undefined) return { kind: 'job' };
  const inputs = referenced(template, 'inputs').filter((n) => n in state.inputs);
  const [first] = inputs;
  if (first) {
    const exact = inputs.find((n) => String(state.inputs[n] ?? '').trim() === value);
    return { kind: 'input', name: exact ?? first };
  }
  const [secret] = referenced(template, 'secrets');
  return secret ? { kind: 'secret', name: secret } : { kind: 'job' };
}

const shorten = (text: string, max = 600) => (text.length > max ? `${text.slice(0, max)}…` : text);

function problemOf(source: Source, step: WiredStep, actionInput: string, err: InputError): Problem {
  const where = `${step.action}'s ${actionInput} in the ${step.job} job`;
  const [target, context] =
    source.kind === 'input'
      ? [
          `Workflow input ${source.name}`,
          source.name === actionInput
            ? `as ${step.action} reads it in the ${step.job} job`
            : `passed as ${where}`,
        ]
      : source.kind === 'secret'
        ? [`Workflow secret ${source.name}`, `passed as ${where}`]
        : [`Workflow job ${step.job}`, `${where}, a value the workflow sets itself`];
  return { target, message: `${target} (${context}): ${shorten(err.problem)}. ${err.fix}` };
}

/** A path input names a file of the checkout every job makes of the same commit, not one outside it. */
function insideRepository(value: string): boolean {
  const path = normalize(value);
  return !isAbsolute(value) && path !== '..' && !path.startsWith('../');
}

/** The rollback hooks file: a file of the commit, each line a command as the rollback's hooks input takes. */
function readHooksFile(raw: string, workspace: string): void {
  const path = parseExistingPath('rollback-hooks-file', raw, workspace, 'file');
  try {
    parseHooks(readFileSync(path, 'utf8'));
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new InputError('rollback-hooks-file', `${raw} ${err.problem}`, err.fix);
  }
}

/**
 * The db job's migration tool: migrate-command's program, or dbmate, which the job installs (by its
 * "Install dbmate" step's condition). Any other tool is not on the db job's runner.
 */
function checkMigrationTool(values: Record<string, string>, installsDbmate: boolean, ctx: RunContext): void {
  const mode = (values.migrate ?? 'auto').toLowerCase() as MigrateMode;
  const command = values['migrate-command'] ?? '';
  const workdir = resolve(ctx.workspace, values['working-directory'] || '.');
  const words = command ? splitCommandLine(command) : undefined;
  if (words?.ok || mode === 'command' || mode === 'none') {
    resolveMigrationCommand(mode, workdir, words?.ok ? words.words : []);
    return;
  }
  const tool = mode === 'auto' ? detectTool(workdir) : mode;
  // No tool found: the action's own message (migrate is auto but the folder has no migrations).
  if (!tool) resolveMigrationCommand(mode, workdir, []);
  const folder = relative(ctx.workspace, workdir) || '.';
  if (tool === 'dbmate' && installsDbmate) {
    if (!existsSync(join(workdir, 'db', 'migrations')))
      throw new InputError(
        'migrate',
        `is dbmate but ${folder} has no db/migrations folder`,
        'Commit the migrations in db/migrations, give migrate-command, or set migrate: none.',
      );
    return;
  }
  throw new InputError(
    'migrate-command',
    `is empty, and the db job installs only dbmate: ${tool ?? mode} (the migrations in ${folder}) would not be found on its runner`,
    `Give the command that applies them as migrate-command, e.g. ${tool === 'node-pg-migrate' ? 'npx node-pg-migrate up' : 'npx prisma migrate deploy'}.`,
  );
}

/**
 * Checks every later job's wiring as its actions will check it, before the approval: each action's
 * start (START_READERS) on the values the workflow will give it, the files those name, the rollback
 * hooks file and the migration tool. Returns every problem, one per workflow input or secret.
 */
export async function checkWiring(
  wiring: PlaybookWiring,
  given: PlanInputs,
  runner: Runner,
  ctx: RunContext,
): Promise<{ problems: Problem[]; steps: WiredStep[] }> {
  const problems = new Map<string, Problem>();
  const add = (p: Problem) => {
    if (!problems.has(p.target)) problems.set(p.target, p);
  };
  const base: State = { inputs: { ...given.inputs }, secretsSet: { ...given.secretsSet } };
  const defaultOf = (name: string) => {
    const spec = wiring.inputs[name];
    return spec ? defaultValue(spec) : '';
  };
  const steps = wiring.steps.filter((step) => START_READERS[step.action]);

  // Files the actions read are the checkout's: a path leaving it names a file of some other runner.
  const outside = new Set<string>();
  for (const step of steps) {
    const declared = declaredInputs(step.action);
    for (const [name, template] of Object.entries(step.with)) {
      if (declared[name]?.kind !== 'file') continue;
      for (const input of referenced(template, 'inputs')) {
        const value = String(base.inputs[input] ?? '').trim();
        if (!value || insideRepository(value)) continue;
        add({
          target: `Workflow input ${input}`,
          message: `Workflow input ${input} (passed as ${step.action}'s ${name} in the ${step.job} job): ${quoteValue(value)} leaves the repository. Give a path relative to the repository root, of a file committed there.`,
        });
        base.inputs[input] = defaultOf(input);
        outside.add(input);
      }
    }
  }
  const hooksFile = String(base.inputs['rollback-hooks-file'] ?? '').trim();
  if (hooksFile && !problems.has('Workflow input rollback-hooks-file')) {
    try {
      if (!insideRepository(hooksFile))
        throw new InputError(
          'rollback-hooks-file',
          `${quoteValue(hooksFile)} leaves the repository`,
          'Give a path relative to the repository root, of a file committed there.',
        );
      readHooksFile(hooksFile, ctx.workspace);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      add({
        target: 'Workflow input rollback-hooks-file',
        message: `Workflow input rollback-hooks-file (read by the rollback job's hooks step): ${shorten(err.problem)}. ${err.fix}`,
      });
    }
  }

  // The rollback undoes only workloads the deploy job applied: without manifests the undo step never runs,
  // and a caller counting on `kubectl rollout undo` in a rollback would find production left as it was.
  const undo = String(base.inputs['infra-rollout-undo'] ?? '').trim();
  if (undo && !String(base.inputs['infra-manifests'] ?? '').trim())
    add({
      target: 'Workflow input infra-rollout-undo',
      message: `Workflow input infra-rollout-undo (read by the rollback job's infrastructure undo): ${quoteValue(shorten(undo))} is given without infra-manifests, so the rollback would undo nothing. Give infra-manifests (the manifests the deploy job applies), or leave infra-rollout-undo empty.`,
    });

  // Each action's start. After a problem, the input it came from is put back to its default (a secret
  // counted as set) and the start read again, so one run reports every problem, not only the first. A
  // secret asked for once an input is back at its default is that default's need (the default checks
  // send VALIDATION_TOKEN), not the caller's: it is not reported.
  for (const step of steps) {
    const read = START_READERS[step.action];
    if (!read) continue;
    const state: State = { inputs: { ...base.inputs }, secretsSet: { ...base.secretsSet } };
    let defaulted = Object.values(step.with).some((t) => referenced(t, 'inputs').some((n) => outside.has(n)));
    for (let round = 0; round <= Object.keys(step.with).length; round++) {
      const contexts = contextsFor(wiring, state);
      let values: Record<string, string> = {};
      // A step its `if:` skips with these inputs (infra-change without infra-manifests) gets nothing.
      if (!mayRun(step, contexts)) break;
      try {
        values = stepValues(step, contexts, ctx);
        await read({ runner, ctx, input: (name) => values[name] ?? '' });
        if (step.action === 'db-migrate-backup')
          checkMigrationTool(values, condition(wiring.dbmateInstalledWhen, contexts), ctx);
        break;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        const source = sourceOf(step, err.input, state, values[err.input] ?? '');
        if (!(defaulted && source.kind === 'secret')) add(problemOf(source, step, err.input, err));
        if (source.kind === 'input' && state.inputs[source.name] !== defaultOf(source.name)) {
          state.inputs[source.name] = defaultOf(source.name);
          defaulted = true;
        } else if (source.kind === 'secret' && !state.secretsSet[source.name])
          state.secretsSet[source.name] = true;
        else break;
      }
    }
  }
  return { problems: [...problems.values()], steps };
}
