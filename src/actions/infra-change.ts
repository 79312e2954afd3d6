import { infraChange } from '../infra/action.js';
import type { Runner } from '../runner/runner.js';

// The playbook's infrastructure step: plan before the approval, apply after it, undo in the rollback.
export const main = (runner: Runner) => infraChange(runner);
