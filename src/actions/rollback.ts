import { rollback } from '../rollback/action.js';
import type { Runner } from '../runner/runner.js';

// The playbook's Rollback Procedures: app, database, hooks, verify, record — each resumable on re-run.
export const main = (runner: Runner) => rollback(runner);
