import { policyGate } from '../gate/policy-gate.js';
import { runGate } from '../gate/run-gate.js';
import type { Runner } from '../runner/runner.js';

// Root action: evaluate any policies against any facts.
export const main = (runner: Runner) => runGate(runner, policyGate);
