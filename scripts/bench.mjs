#!/usr/bin/env node
// Runs every benchmark in bench/ (or those named on the command line) with Node 24 on the TypeScript sources.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && (wanted.length === 0 || wanted.some((w) => f.includes(w))))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== bench/${file}`);
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
    },
  );
  if (run.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
