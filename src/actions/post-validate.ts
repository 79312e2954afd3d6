import { runGate } from '../gate/run-gate.js';
import type { Runner } from '../runner/runner.js';
import { postValidateGate } from '../validate/action.js';

// Samples the new deployment, judges the aggregates with builtin:post-validate, and says whether to roll back.
export const main = (runner: Runner) => runGate(runner, postValidateGate);
