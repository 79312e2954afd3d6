import { errorMessage } from '../errors.js';
import type { Ledger } from '../incident/ledger.js';
import { sha256 } from '../util/hash.js';
import { type Hook, type HookRunOptions, runHook } from './hooks.js';
import { type Step, StepFailure, type StepOutcome } from './steps.js';

/** Where hooks are journalled: the incident issue's ledger (see IncidentRecorder). */
export interface LedgerAccess {
  trustedLedger(): Promise<Ledger>;
  write(change: (ledger: Ledger) => void): Promise<unknown>;
}

export interface HooksStepOptions {
  hooks: readonly Hook[];
  ledger: LedgerAccess;
  attempt: number;
  /** Read when the step runs, so the environment can carry what earlier steps found. */
  run: () => HookRunOptions;
  log: { info(message: string): void; warning(message: string): void };
  /** The rollback's clock, which stamps every ledger entry. */
  now: () => Date;
}

export function hookKey(hook: Hook): string {
  return `${hook.index}:${sha256(hook.line).slice(0, 16)}`;
}

/**
 * Runs the `hooks` in order. Their effects cannot be read back (running `kubectl rollout undo` twice undoes
 * the undo), so each hook is journalled in the incident ledger before and after it runs, and a re-run skips
 * the hooks an earlier attempt finished. Without a readable ledger no hook runs at all.
 */
export function hooksStep(options: HooksStepOptions): Step {
  return {
    name: 'hooks',
    title: 'Configuration hooks',
    async run(): Promise<StepOutcome> {
      if (options.hooks.length === 0) return { status: 'skipped', detail: 'No hooks were given.' };
      let ledger: Ledger;
      try {
        ledger = await options.ledger.trustedLedger();
      } catch (err) {
        throw new StepFailure(
          `No hook was run: the incident ledger that records which hooks already ran could not be read (${errorMessage(err)}). Re-run once GitHub is reachable.`,
        );
      }
      const runOptions = options.run();
      const ran: string[] = [];
      const skipped: string[] = [];
      for (const hook of options.hooks) {
        const key = hookKey(hook);
        const name = `hook ${hook.index} (${hook.program})`;
        const entry = ledger.hooks[key];
        if (entry?.state === 'done') {
          options.log.info(`${name} already ran in attempt ${entry.attempt}; not running it again.`);
          skipped.push(`${name} already ran in attempt ${entry.attempt}`);
          continue;
        }
        if (entry?.state === 'started') {
          options.log.warning(
            `${name} was started in attempt ${entry.attempt} but its end was never recorded (the runner stopped?); running it again.`,
          );
        }
        const base = { index: hook.index, program: hook.program, attempt: options.attempt };
        await options.ledger.write((l) => {
          l.hooks[key] = { ...base, state: 'started', at: options.now().toISOString() };
        });
        options.log.info(`Running ${name}: ${hook.line}`);
        let exitCode: number;
        try {
          ({ exitCode } = await runHook(hook, runOptions));
        } catch (err) {
          await options.ledger.write((l) => {
            l.hooks[key] = { ...base, state: 'failed', at: options.now().toISOString() };
          });
          throw new StepFailure(
            `${name} could not be started: ${errorMessage(err)}; later hooks were not run.`,
          );
        }
        await options.ledger.write((l) => {
          l.hooks[key] = {
            ...base,
            state: exitCode === 0 ? 'done' : 'failed',
            exitCode,
            at: options.now().toISOString(),
          };
        });
        if (exitCode !== 0) {
          throw new StepFailure(
            `${name} exited with code ${exitCode}; later hooks were not run.${ran.length ? ` Ran before it: ${ran.join(', ')}.` : ''}`,
          );
        }
        ran.push(name);
      }
      if (ran.length === 0)
        return { status: 'skipped', detail: `Every hook already ran: ${skipped.join('; ')}.` };
      const also = skipped.length ? ` Skipped: ${skipped.join('; ')}.` : '';
      return { status: 'done', detail: `Ran ${ran.join(', ')}.${also}` };
    },
  };
}
