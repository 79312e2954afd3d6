import { runGate } from '../gate/run-gate.js';
import { dbMigrateGate } from '../migrate/action.js';
import type { Runner } from '../runner/runner.js';

// Playbook Step 2: a verified, encrypted backup, then the migrations, never one without the other.
export const main = (runner: Runner) => runGate(runner, dbMigrateGate);
