// Issue 19: cold start of every action's committed bundle, run as the runner does (`node <runs.main>`)
// with no inputs, start to exit, against a bare `node -e 0` measured in the same interleaved rounds.
// What every run pays before its first input check: module loading, nothing else.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { interleaved, ratio, timeProcess } from './support/measure.js';

const root = resolve(import.meta.dirname, '..');
const node = process.execPath;
const ws = mkdtempSync(join(tmpdir(), 'dg-start-'));
const env = { PATH: process.env.PATH, GITHUB_WORKSPACE: ws, RUNNER_TEMP: ws };
const actions = [
  '.',
  ...readdirSync(join(root, 'actions'))
    .sort()
    .map((a) => join('actions', a)),
];
const main = (dir: string) =>
  join(
    root,
    dir,
    (parse(readFileSync(join(root, dir, 'action.yml'), 'utf8')) as { runs: { main: string } }).runs.main,
  );
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const medians = interleaved(
  {
    'node -e 0': () => timeProcess(node, ['-e', '0']),
    ...Object.fromEntries(
      actions.map((dir) => [
        dir === '.' ? 'policy-gate (root)' : dir.slice(8),
        () => timeProcess(node, [main(dir)], { env, cwd: ws }),
      ]),
    ),
  },
  rounds,
);
const baseline = medians['node -e 0'] ?? 1;
console.log(`action cold start, no inputs, median of ${rounds} interleaved runs (Node ${process.version})`);
for (const [name, ms] of Object.entries(medians)) {
  console.log(`  ${name.padEnd(22)} ${ms.toFixed(1).padStart(7)} ms  ${ratio(ms, baseline)} of node -e 0`);
}
