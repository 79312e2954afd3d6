import { errorMessage, InputError, ReportedFailure } from '../errors.js';
import { type InputDeclarations, secretInputs } from './declared-inputs.js';
import { githubRunner } from './github-runner.js';
import type { Runner } from './runner.js';

/**
 * Runs an action's main function: one `::error` per failure, exit code 1, never a stack trace in
 * the log (it goes to the debug log, visible with ACTIONS_STEP_DEBUG). The secrets `declared` names are
 * masked before `main` runs, so no code path of the action can log one before it is masked.
 */
export async function runAction(
  main: (runner: Runner) => Promise<void>,
  runner: Runner = githubRunner(),
  declared: InputDeclarations = {},
): Promise<void> {
  try {
    for (const name of secretInputs(declared)) {
      const value = runner.input(name);
      if (value) runner.setSecret(value);
    }
    await main(runner);
  } catch (err) {
    if (err instanceof ReportedFailure) runner.info(err.message);
    else {
      if (!(err instanceof InputError) && err instanceof Error && err.stack) runner.debug(err.stack);
      runner.error(errorMessage(err));
    }
    process.exitCode = 1;
  }
  // The step is decided: a library's leftover poll timer or keep-alive socket must not hold it open.
  // (Writes to the runner's pipes and files are synchronous, so nothing logged is lost.)
  process.exit();
}
