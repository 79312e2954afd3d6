/**
 * Runs catalogue cases through the committed bundles, a bounded number at a time (one per slot), and
 * judges each: clear, side effect, accepted or unclear.
 */
import { rmSync } from 'node:fs';
import { type ActionRun, ActionTimeoutError, runBundle } from '../../sandbox/runner/run-bundle.js';
import { type ActionName, actionYml, bundle, type Case } from './catalogue.js';
import { baseline, changes, observe, resetDatabase, type Slot, type World } from './world.js';

export type Verdict = 'clear' | 'side-effect' | 'accepted' | 'unclear';

export interface Outcome {
  id: string;
  verdict: Verdict;
  /** Why it is not clear: the changes made, or what is wrong with the error. */
  detail: string;
  /** Wall time of the case, setup and checks included (reported, never asserted). */
  ms: number;
}

const STACK = /\n\s+at .+[(:]\S+:\d+:\d+\)?|\bat (?:async )?\S+ \(file:/;

/** Why a failed run's error is not the one `::error` naming the input, or '' when it is. */
export function errorProblem(run: ActionRun, input: string): string {
  const errors = run.annotations.filter((a) => a.level === 'error');
  if (run.exitCode !== 1) return `exit code ${run.exitCode}`;
  if (errors.length !== 1) return `${errors.length} ::error commands`;
  const message = errors[0]?.message ?? '';
  if (!message.includes(input)) return `the error does not name ${input}: ${message.slice(0, 200)}`;
  if (message.length > 1000) return `the error is ${message.length} characters long`;
  if (STACK.test(run.stdout) || STACK.test(run.stderr)) return 'a stack trace in the log';
  // The mask of a secret holding the value is fine; a warning or notice made of it is not.
  if (run.annotations.some((a) => a.level !== 'error' && a.message.startsWith('injected by an input')))
    return 'a value started a workflow command';
  return '';
}

async function runCase(
  world: World,
  slot: Slot,
  c: Pick<Case, 'action' | 'input' | 'value'> | { action: ActionName },
) {
  const setup = await baseline(world, slot, c.action);
  const inputs = { ...setup.inputs };
  if ('input' in c) inputs[c.input] = c.value;
  const before = await observe(world, slot);
  let run: ActionRun;
  let timedOut = false;
  try {
    run = await runBundle({
      action: bundle(c.action),
      actionYml: actionYml(c.action),
      workspace: setup.workspace,
      inputs,
      env: setup.env,
      stepId: setup.stepId,
      runId: `${slot.index}${slot.cases}`,
      timeoutMs: 'input' in c ? 20_000 : 120_000,
    });
  } catch (err) {
    if (!(err instanceof ActionTimeoutError)) throw err;
    run = err.run;
    timedOut = true;
  }
  const after = await observe(world, slot);
  const changed = changes(before, after);
  if (after.db !== before.db) await resetDatabase(world, slot);
  rmSync(setup.workspace, { recursive: true, force: true });
  await run.cleanup();
  return { run, changed, timedOut };
}

/** A baseline must pass, or its bad cases would prove nothing. */
export async function runBaseline(world: World, slot: Slot, action: ActionName): Promise<ActionRun> {
  const { run } = await runCase(world, slot, { action });
  // Whatever the baseline changed (the database, backups) is put back for the cases after it.
  rmSync(`${slot.dir}/backups`, { recursive: true, force: true });
  rmSync(slot.programLog, { force: true });
  return run;
}

export async function judge(world: World, slot: Slot, c: Case): Promise<Outcome> {
  const started = performance.now();
  const { run, changed, timedOut } = await runCase(world, slot, c);
  let verdict: Verdict;
  let detail = '';
  if (changed.length > 0 && run.exitCode !== 0) {
    verdict = 'side-effect';
    detail = changed.slice(0, 3).join('; ');
  } else if (timedOut) {
    verdict = 'unclear';
    detail = 'did not finish within 20 s';
  } else if (run.exitCode === 0) {
    verdict = 'accepted';
  } else {
    detail = errorProblem(run, c.input);
    verdict = detail ? 'unclear' : 'clear';
  }
  if (changed.length > 0) {
    // Put the slot back: files the case made in the watched folder go, so the next case starts clean.
    rmSync(`${slot.dir}/backups`, { recursive: true, force: true });
    rmSync(slot.programLog, { force: true });
    rmSync(`${slot.dir}/escaped.json`, { force: true });
  }
  return { id: c.id, verdict, detail, ms: Math.round(performance.now() - started) };
}

/** Runs `items` with `slots.length` workers, each bound to one slot. */
export async function pool<T, R>(
  slots: Slot[],
  items: T[],
  work: (slot: Slot, item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    slots.map(async (slot) => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(slot, items[i] as T);
      }
    }),
  );
  return results;
}
