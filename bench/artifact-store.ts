// ArtifactStore put and get of a 48 MB encrypted-like (random) backup through the real @actions/artifact
// client and the emulated service on loopback, against copying the same folder on disk, both measured
// in this run. Also the zip level: the library's default 6 against the store's default 0, which is
// what an already compressed, encrypted dump deserves.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startArtifactService } from '../sandbox/artifact/service.js';
import { median, ratio } from './support/measure.js';

const service = await startArtifactService();
process.env.GITHUB_API_URL = service.url;
const { ArtifactStore } = await import('../src/backup/artifact-store.js');

const work = await mkdtemp(join(tmpdir(), 'dg-bench-artifact-'));
const source = join(work, 'backup');
const scratch = join(work, 'scratch');
await mkdir(source);
await writeFile(join(source, 'app.dump.age'), randomBytes(48 * 1024 * 1024));
await writeFile(join(source, 'manifest.json'), '{"database":"app"}');

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const env = () => ({ ...service.env(1, 'db'), GITHUB_REPOSITORY: service.repository });
let n = 0;
let last = '';

// The library logs every chunk to stdout; the bench prints only its figures.
async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await quiet(fn);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const variants: Record<string, () => Promise<unknown>> = {
  'copy the folder on disk (baseline)': () => cp(source, join(scratch, `copy-${n++}`), { recursive: true }),
  'put, zip level 6 (library default)': () =>
    new ArtifactStore({ env: env(), compressionLevel: 6 }).put(`level6-${n++}`, source),
  'put, zip level 0 (store default)': async () => {
    last = (await new ArtifactStore({ env: env() }).put(`level0-${n++}`, source)).location;
  },
  'get on another job': () =>
    new ArtifactStore({ env: { ...service.env(1, 'rollback'), GITHUB_REPOSITORY: service.repository } }).get(
      last,
      join(scratch, `get-${n++}`),
    ),
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let round = 0; round < rounds + 1; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const ms = await timed(run);
    if (round > 0) samples[name]?.push(ms);
  }
  await rm(scratch, { recursive: true, force: true });
}

const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const baseline = medians['copy the folder on disk (baseline)'] ?? 1;
const level6 = medians['put, zip level 6 (library default)'] ?? 1;
console.log(`48 MB random backup, ${rounds} rounds, medians:`);
for (const [name, ms] of Object.entries(medians)) {
  console.log(`  ${name.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${ratio(ms, baseline)} of copy`);
}
console.log(
  `  zip level 0 takes ${ratio(medians['put, zip level 0 (store default)'] ?? 0, level6)} of level 6's time`,
);
await service.close();
await rm(work, { recursive: true, force: true });
