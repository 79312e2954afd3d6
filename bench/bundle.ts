// Issue 19: one shared bundle instead of one bundle per action. Goals: the committed dist at most half
// the size, check-dist at most a third of the time. Both builds are measured in this run with the same
// esbuild options and plugins (scripts/build.mjs): the shared build (every entry in one pass, split
// chunks) against the baseline of one self-contained bundle per entry, built one after another as the
// per-action build did. Also: each action's cold start from the committed bundle against `node -e 0`.
import { join, resolve } from 'node:path';
// @ts-expect-error: a plain ES module script without types
import { bundle, entryPoints } from '../scripts/build.mjs';
import { interleaved, median, ratio, timed, timeProcess } from './support/measure.js';

type Files = Record<string, Buffer>;
const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const size = (files: Files) => Object.values(files).reduce((a, f) => a + f.length, 0);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const entries = entryPoints() as Record<string, string>;
const shared = async (): Promise<Files> => bundle();
const perEntry = async (): Promise<Files> => {
  const all: Files = {};
  for (const [out, src] of Object.entries(entries)) {
    const files: Files = await bundle({ entries: { [out]: src }, splitting: false });
    // Each self-contained bundle is committed in its own folder: nothing is shared.
    for (const [f, c] of Object.entries(files)) all[`${out}/${f}`] = c;
  }
  return all;
};

const times: Record<'shared' | 'perEntry', number[]> = { shared: [], perEntry: [] };
let sharedFiles: Files = {};
let perEntryFiles: Files = {};
for (let round = 0; round < rounds; round++) {
  times.shared.push(
    await timed(async () => {
      sharedFiles = await shared();
    }),
  );
  times.perEntry.push(
    await timed(async () => {
      perEntryFiles = await perEntry();
    }),
  );
}

const sharedMs = median(times.shared);
const perEntryMs = median(times.perEntry);
console.log(`entries: ${Object.keys(entries).length} (${rounds} rounds, median)`);
console.log(
  `size   shared ${mb(size(sharedFiles))} in ${Object.keys(sharedFiles).length} files; one bundle per entry ${mb(size(perEntryFiles))} in ${Object.keys(perEntryFiles).length} files: ${ratio(size(sharedFiles), size(perEntryFiles))} (goal ≤ 0.50×)`,
);
console.log(
  `build  shared ${(sharedMs / 1000).toFixed(1)} s; one bundle per entry ${(perEntryMs / 1000).toFixed(1)} s: ${ratio(sharedMs, perEntryMs)} (goal ≤ 0.33×)`,
);

// Cold start of every action's committed bundle up to its first input check, against `node -e 0`.
const node = process.execPath;
const env = { PATH: process.env.PATH, GITHUB_WORKSPACE: root, RUNNER_TEMP: '/tmp' };
const actions = Object.keys(entries).filter((e) => !e.startsWith('cli/'));
const starts = interleaved(
  {
    'node -e 0': () => timeProcess(node, ['-e', '0']),
    ...Object.fromEntries(
      actions.map((out) => [out, () => timeProcess(node, [join(root, 'dist', `${out}.js`)], { env })]),
    ),
  },
  Number(process.env.BENCH_START_ROUNDS ?? 10),
);
const bare = starts['node -e 0'] ?? 1;
for (const out of actions)
  console.log(
    `start  ${out}: ${(starts[out] ?? 0).toFixed(0)} ms = ${ratio(starts[out] ?? 0, bare)} node -e 0`,
  );
