import type { Runner } from '../runner/runner.js';
import { vercelDeploy } from '../vercel/action.js';

// Playbook Steps 3 and 4B: build once, deploy staged, promote that same deployment, check the domain moved.
export const main = (runner: Runner) => vercelDeploy(runner);
