import { runGate } from '../gate/run-gate.js';
import type { Runner } from '../runner/runner.js';
import { watch, watchGate } from '../watch/action.js';

// The post-deployment watch: judges the last live deployment at each horizon that is due (T+1h, T+24h, T+1w).
export const main = (runner: Runner) => watch(runner, (r) => runGate(r, watchGate));
