#!/usr/bin/env node
// Runs the benchmarks of issue 20's table (or every bench with --all, or those named on the command line)
// with Node 24 on the TypeScript sources, and ends with one table: figure | goal | measured | met?.
// --quick (or BENCH_QUICK=1): fewer rounds and smaller inputs, a smoke run whose figures are not the
// issue's. Each bench appends its rows to BENCH_RESULTS; a bench that fails shows as an error row.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const all = args.includes('--all');
const wanted = args.filter((a) => !a.startsWith('--'));
// The table's benches, in the table's order.
const TABLE = [
  'db-backup.ts',
  'vercel-deploy.ts',
  'cold-start.ts',
  'policy-throughput.ts',
  'post-validate.ts',
];
const every = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .sort();
// A bench named exactly (`db-backup`, `db-backup.ts`) is that one; other words pick every bench they are in.
const exact = (w) => `${w.replace(/\.ts$/, '')}.ts`;
const picked = (f) => wanted.some((w) => (every.includes(exact(w)) ? f === exact(w) : f.includes(w)));
const files =
  wanted.length > 0
    ? every.filter(picked)
    : all
      ? [...TABLE, ...every.filter((f) => !TABLE.includes(f))]
      : TABLE;
const scratch = mkdtempSync(join(tmpdir(), 'dg-bench-results-'));
const results = join(scratch, 'rows.jsonl');
const failedBenches = [];
for (const file of files) {
  console.log(`\n== bench/${file}${quick ? ' (quick)' : ''}`);
  const run = spawnSync(
    process.execPath,
    [
      '--no-warnings',
      '--experimental-transform-types',
      '--import',
      './scripts/ts-resolve.mjs',
      join('bench', file),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULTS: results, ...(quick ? { BENCH_QUICK: '1' } : {}) },
    },
  );
  if (run.status !== 0) failedBenches.push(file);
}

let rows = [];
try {
  rows = readFileSync(results, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
} catch {
  // No bench wrote a row.
}
rmSync(scratch, { recursive: true, force: true });
const order = (key) => {
  const keys = ['backup', 'restore', 'deploy', 'hashing', 'cold-start', 'policy', 'post-validate'];
  const i = keys.findIndex((k) => key === k || key.startsWith(`${k}:`));
  return i < 0 ? keys.length : i;
};
rows.sort((a, b) => order(a.key) - order(b.key));
const x = (v) => `${v.toFixed(2)}×`;
const table = [
  ['figure', 'goal', 'measured (median, min–max)', 'met?'],
  ...rows.map((r) =>
    r.error
      ? [r.figure, r.goal, `ERROR: ${r.error}`.slice(0, 70), 'no']
      : [
          r.note ? `${r.figure} (${r.note})` : r.figure,
          r.goal,
          `${x(r.measured.median)} (${x(r.measured.min)}–${x(r.measured.max)})`,
          r.met ? 'yes' : 'no',
        ],
  ),
];
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
const line = (row) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
console.log(
  `\n${quick ? 'QUICK RUN (smoke, not the figures): ' : ''}issue 20 table, Node ${process.version}`,
);
console.log(line(table[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
if (failedBenches.length > 0) console.log(`\nbenches that failed: ${failedBenches.join(', ')}`);
process.exit(failedBenches.length > 0 || rows.some((r) => r.error) ? 1 : 0);
