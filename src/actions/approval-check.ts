import { checkApproval } from '../approval/action.js';
import type { Runner } from '../runner/runner.js';

// At the start of a job that changes something: GitHub's record of the approval, in the window and fresh.
export const main = (runner: Runner) => checkApproval(runner);
