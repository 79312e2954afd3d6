import { notify } from '../notify/action.js';
import type { Runner } from '../runner/runner.js';

// One phase of the communication plan to every channel that takes it; a failed send never fails the step.
export const main = (runner: Runner) => notify(runner);
