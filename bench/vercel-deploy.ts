// Issue 6: a 5,000-file static build (deterministic content: mostly a few KB, some tens to hundreds of KB,
// a few around a megabyte) deployed to the Vercel emulator through deployBuild, the function
// actions/vercel-deploy calls: (a) the first deploy, (b) an unchanged redeploy, which must upload nothing
// (asserted on both the emulator's upload counter and deployBuild's own count; the bench exits 1 if
// either is not 0), (c) SHA-1 throughput of the hashing that deploy path does (@vercel/client's
// `hashes()`, which collectDeploymentFiles runs over the file list) against one `sha1sum` process over
// the same files, interleaved rounds in this run. Goal for (c): ours ≥ 0.8× sha1sum's throughput.
// The emulator runs in this process with no queued or build time, so (a) and (b) time our side and the
// API round trips. BENCH_ROUNDS (default 3: a first deploy takes about a minute) deploy rounds, each on a
// fresh emulator; BENCH_HASH_ROUNDS (default 10) hashing rounds; BENCH_FILES (default 5000).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readFile, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { hashes } from '@vercel/client/dist/utils/hashes.js';
import { startVercelEmulator } from '../sandbox/vercel/emulator.js';
import { deployBuild } from '../src/vercel/deploy.js';
import { median, ratio } from './support/measure.js';

const FILES = Number(process.env.BENCH_FILES ?? 5000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const hashRounds = Number(process.env.BENCH_HASH_ROUNDS ?? 10);
let failures = 0;

/** mulberry32: a small seeded PRNG, so every run writes the same build. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The build: 95 % of the files 1–8 KB, 4 % 32–256 KB, 1 % 0.5–1.5 MB; every file's content distinct. */
async function writeBuild(root: string): Promise<{ paths: string[]; bytes: number }> {
  const rand = prng(6);
  const kinds = [
    ['assets/js', 'js'],
    ['assets/css', 'css'],
    ['pages', 'html'],
    ['data', 'json'],
    ['img', 'svg'],
  ] as const;
  const paths: string[] = [];
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const r = rand();
    const size =
      r < 0.95
        ? 1024 + Math.floor(rand() * 7 * 1024)
        : r < 0.99
          ? 32 * 1024 + Math.floor(rand() * 224 * 1024)
          : 512 * 1024 + Math.floor(rand() * 1024 * 1024);
    const [folder, ext] = kinds[i % kinds.length] ?? kinds[0];
    const rel = i === 0 ? 'index.html' : `${folder}/${Math.floor(i / 500)}/file-${i}.${ext}`;
    const words = new Uint32Array(Math.ceil(size / 4));
    for (let w = 0; w < words.length; w++) words[w] = Math.floor(rand() * 4294967296);
    const content = Buffer.from(words.buffer, 0, size);
    content.write(`/* ${rel} */`, 0, 'latin1');
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
    paths.push(rel);
    bytes += size;
  }
  return { paths, bytes };
}

const work = await mkdtemp(join(tmpdir(), 'dg-bench-vercel-deploy-'));
const build = join(work, 'build');
await mkdir(build);
const { paths, bytes } = await writeBuild(build);
const absolute = paths.map((p) => join(build, p));
const mb = bytes / 1e6;
console.log(
  `${paths.length} files, ${mb.toFixed(1)} MB (10^6 bytes), ${rounds} deploy rounds, ${hashRounds} hash rounds, Node ${process.version}`,
);

// (a) and (b): a fresh emulator per round, so the first deploy finds none of the files on Vercel. The
// times of deployBuild's log lines split the first deploy into: hashing and the file check (its first
// POST /v13/deployments answering missing_files), the uploads, and creating the deployment until READY.
const first: number[] = [];
const again: number[] = [];
const phases: Record<string, number[]> = { 'hash + file check': [], uploads: [], 'create until READY': [] };
const reportedTotals = new Set<string>();
const redeployUploads: number[] = [];
for (let round = 0; round < rounds; round++) {
  const vercel = await startVercelEmulator({ queuedMs: 0, buildMs: 0 });
  const marks: [string, number][] = [];
  const request = {
    target: { token: vercel.token, project: 'bench-static', teamId: vercel.teamId, apiUrl: vercel.apiUrl },
    path: build,
    prebuilt: false,
    production: true,
    staged: true,
    meta: {},
    timeoutMs: 600_000,
    log: (message: string) => marks.push([message, performance.now()]),
  };
  try {
    let start = performance.now();
    const a = await deployBuild(request);
    const end = performance.now();
    first.push(end - start);
    const counted = marks.find(([m]) => / to upload$/.test(m))?.[1] ?? start;
    const created = marks.find(([m]) => m.startsWith('Created '))?.[1] ?? end;
    phases['hash + file check']?.push(counted - start);
    phases.uploads?.push(created - counted);
    phases['create until READY']?.push(end - created);
    const firstUploads = { ...vercel.uploads };
    if (a.uploadedFiles !== paths.length || firstUploads.files !== paths.length) {
      console.error(
        `  FAIL first deploy uploaded ${a.uploadedFiles} files by its count, ${firstUploads.files} by the emulator's, expected ${paths.length}`,
      );
      failures++;
    }
    vercel.resetUploadStats();
    start = performance.now();
    const b = await deployBuild(request);
    again.push(performance.now() - start);
    const reported = b.uploadedFiles;
    const uploaded = vercel.uploads.files;
    const inDeployment = vercel.deployment(b.id)?.files.size;
    redeployUploads.push(Math.max(reported, uploaded));
    reportedTotals.add(`${a.totalFiles} (first) / ${b.totalFiles} (redeploy)`);
    console.log(
      `  round ${round + 1}: first deploy ${first.at(-1)?.toFixed(0)} ms, ${a.uploadedFiles} files / ${(firstUploads.bytes / 1e6).toFixed(1)} MB uploaded; ` +
        `unchanged redeploy ${again.at(-1)?.toFixed(0)} ms, ${inDeployment} files in it, files uploaded: ${reported} (deployBuild's count) / ${uploaded} (emulator's counter)`,
    );
    if (reported !== 0 || uploaded !== 0 || vercel.uploads.bytes !== 0) {
      console.error(
        `  FAIL the unchanged redeploy uploaded files: ${reported} by deployBuild's count, ${uploaded} by the emulator's`,
      );
      failures++;
    }
    if (b.id === a.id || b.readyState !== 'READY' || inDeployment !== paths.length) {
      console.error(`  FAIL the redeploy is not a new READY deployment of all ${paths.length} files`);
      failures++;
    }
  } finally {
    await vercel.close();
  }
}

// (c) hashing. Ours: @vercel/client's hashes() over the absolute file list, which is what
// collectDeploymentFiles does after walking the folder. Baseline: one sha1sum process, every file as an
// argument (the list fits ARG_MAX, so xargs is not needed); its output is checked against ours.
async function sha1sum(): Promise<{ ms: number; out: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sha1sum', ['--', ...paths], { cwd: build, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`sha1sum exited with ${code}`));
      else resolve({ ms: performance.now() - start, out: Buffer.concat(chunks).toString() });
    });
  });
}

async function ours(): Promise<{ ms: number; digests: Map<string, string> }> {
  const start = performance.now();
  const map = await hashes(absolute);
  const ms = performance.now() - start;
  const digests = new Map<string, string>();
  for (const [sha, file] of map) for (const name of file.names) digests.set(name, sha ?? '');
  return { ms, digests };
}

// Where our time goes. hashes() lstat()s each file and then reads it whole through fs-extra (graceful-fs
// over the callback fs), 100 files at a time, on libuv's thread pool; then it hashes on the main thread
// a copy of each buffer (`Uint8Array.from(buf)`). Measured apart: those reads without hashing, SHA-1 of
// the files already in memory with and without that copy, and synchronous reads + SHA-1 without a copy.
const lstatCb = promisify(lstat);
const readFileCb = promisify(readFile);
async function readsOnly(): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < absolute.length) {
        const path = absolute[next++] as string;
        await lstatCb(path);
        await readFileCb(path);
      }
    }),
  );
  return performance.now() - start;
}
const inMemory = absolute.map((p) => readFileSync(p));
function sha1InMemory(copy: boolean): number {
  const start = performance.now();
  for (const buf of inMemory) {
    createHash('sha1')
      .update(copy ? Uint8Array.from(buf) : buf)
      .digest('hex');
  }
  return performance.now() - start;
}
function syncReadAndSha1(): number {
  const start = performance.now();
  for (const path of absolute) createHash('sha1').update(readFileSync(path)).digest('hex');
  return performance.now() - start;
}

const samples = {
  ours: [] as number[],
  sha1sum: [] as number[],
  reads: [] as number[],
  sha1Copy: [] as number[],
  sha1NoCopy: [] as number[],
  syncRead: [] as number[],
};
for (let round = 0; round < hashRounds + 1; round++) {
  const a = await ours();
  const b = await sha1sum();
  const reads = await readsOnly();
  const copy = sha1InMemory(true);
  const noCopy = sha1InMemory(false);
  const syncRead = syncReadAndSha1();
  if (round === 0) {
    // A warm-up round (not counted), and the check that both computed the same digests.
    const theirs = new Map(
      b.out
        .trim()
        .split('\n')
        .map((line) => [join(build, line.slice(42)), line.slice(0, 40)] as const),
    );
    const mismatched = absolute.filter((p) => theirs.get(p) !== a.digests.get(p));
    if (theirs.size !== absolute.length || mismatched.length > 0) {
      console.error(`  FAIL sha1sum and hashes() disagree on ${mismatched.length} files`);
      failures++;
    }
    continue;
  }
  samples.ours.push(a.ms);
  samples.sha1sum.push(b.ms);
  samples.reads.push(reads);
  samples.sha1Copy.push(copy);
  samples.sha1NoCopy.push(noCopy);
  samples.syncRead.push(syncRead);
}
const m = {
  ours: median(samples.ours),
  sha1sum: median(samples.sha1sum),
  reads: median(samples.reads),
  sha1Copy: median(samples.sha1Copy),
  sha1NoCopy: median(samples.sha1NoCopy),
  syncRead: median(samples.syncRead),
};
const mbps = (ms: number) => mb / (ms / 1000);
const line = (name: string, ms: number, extra = '') =>
  console.log(
    `  ${name.padEnd(62)} ${ms.toFixed(0).padStart(6)} ms  ${mbps(ms).toFixed(0).padStart(5)} MB/s${extra}`,
  );

const ms = (values: number[]) => `${median(values).toFixed(0).padStart(6)} ms`;
console.log(`(a) first deploy, median ${rounds} rounds        ${ms(first)}`);
for (const [name, values] of Object.entries(phases)) console.log(`      ${name.padEnd(30)} ${ms(values)}`);
console.log(
  `(b) unchanged redeploy, median ${rounds} rounds  ${ms(again)}  ${ratio(median(again), median(first))} of the first deploy; files uploaded 0 in every round: ${redeployUploads.every((n) => n === 0) ? 'yes' : `NO (${redeployUploads.join(', ')})`}`,
);
console.log(`    deployBuild's reported totalFiles: ${[...reportedTotals].join('; ')}`);
console.log(`(c) SHA-1 over the ${paths.length} files, medians of ${hashRounds} interleaved rounds:`);
line('sha1sum, one process (baseline)', m.sha1sum);
line(
  "ours: @vercel/client hashes() (deployBuild's hashing)",
  m.ours,
  `  ${ratio(m.sha1sum, m.ours)} of sha1sum's throughput (goal ≥ 0.8×: ${m.sha1sum / m.ours >= 0.8 ? 'met' : 'NOT met'})`,
);
console.log('  where hashes() spends it:');
line('  lstat + readFile, 100 at a time, no hashing', m.reads);
line('  SHA-1 of the files in memory, Uint8Array.from copy (as hashes())', m.sha1Copy);
line('  SHA-1 of the files in memory, no copy', m.sha1NoCopy);
line('  readFileSync + SHA-1, no copy, one file after another', m.syncRead);

await rm(work, { recursive: true, force: true });
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
