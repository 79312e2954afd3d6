import { plan } from '../plan/action.js';
import type { Runner } from '../runner/runner.js';

// Before the approval: the wiring of every later job, checked as its actions will check it.
export const main = (runner: Runner) => plan(runner);
