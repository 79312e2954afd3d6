import { complianceGate } from '../compliance/action.js';
import { runGate } from '../gate/run-gate.js';
import type { Runner } from '../runner/runner.js';

// LGPD, ANVISA and CFM policies and the change window, judged before production asks for approval.
export const main = (runner: Runner) => runGate(runner, complianceGate);
