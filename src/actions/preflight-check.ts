import { runGate } from '../gate/run-gate.js';
import { preflightGate } from '../preflight/action.js';
import type { Runner } from '../runner/runner.js';

// The playbook's readiness checklists as collected facts, judged by builtin:preflight.
export const main = (runner: Runner) => runGate(runner, preflightGate);
