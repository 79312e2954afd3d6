// Issue 20 ("Uploads"): a generated 5,000-file, ~93 MB static build (deterministic content: mostly a few
// KB, some tens to hundreds of KB, a few around a megabyte; every file distinct) deployed to the Vercel
// emulator.
// (a) First deploy: the committed vercel-deploy bundle, started as the runner starts it (runBundle), from
//     its start to its exit (project read, hashing, create, uploads, create, READY, promote, alias check),
//     against a baseline Node script that lists the files, hashes them (SHA-1, one read each) and uploads
//     them all with plain fetch, UPLOADS_IN_FLIGHT at a time (the bundle's own pool size), then creates the
//     deployment: the same emulator settings, each measurement on a fresh emulator so that none of the
//     files is known, variants interleaved in every round. Figure: the paired ratio bundle / baseline per
//     round, min/median/max. Goal ≤ 1.2×. Unless BENCH_BEFORE=0, the bundle as it was before (main's
//     committed bundle where this branch began, or BENCH_BEFORE_REF's) runs in the same rounds too.
//     Every run's exit code is checked, and the emulator must have received every file exactly once.
//     After the bundle's first deploy, an unchanged redeploy (a new run) must upload nothing.
// (b) Hashing: the deploy's hashing (listBuildFiles + hashFiles: SHA-1 of every file and SHA-384 of the
//     js/css assets from the same read) against one `sha1sum` process over the same files, interleaved;
//     figure: throughput ratio sha1sum time / ours per round, min/median/max, goal ≥ 0.8×; both given the
//     same list of files, the listing (@vercel/client's ignore rules) timed apart. Before: what the
//     deploy did until now: @vercel/client's hashes() (its createDeployment) plus the SRI manifest's own
//     second read of the js/css files for SHA-384.
// BENCH_ROUNDS (default 3) deploy rounds; BENCH_HASH_ROUNDS (default 10) hash rounds; BENCH_FILES (5000).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { hashes } from '@vercel/client/dist/utils/hashes.js';
import { runBundle } from '../sandbox/runner/run-bundle.js';
import { startVercelEmulator, type VercelEmulator } from '../sandbox/vercel/emulator.js';
import { hashFiles, listBuildFiles } from '../src/vercel/files.js';
import { UPLOAD_CONCURRENCY } from '../src/vercel/upload.js';
import { envNumber, QUICK } from './support/measure.js';
import { reportRow } from './support/report.js';

const root = resolve(import.meta.dirname, '..');
const FILES = envNumber('BENCH_FILES', 5000, 500);
const rounds = envNumber('BENCH_ROUNDS', 3, 1);
const hashRounds = envNumber('BENCH_HASH_ROUNDS', 10, 2);
/**
 * The before figure's bundle: the committed dist of BENCH_BEFORE_REF (default: where this branch left
 * main, `git merge-base HEAD main`), unpacked by `git archive`, so that main moving on during the run
 * (a merge rebuilding its dist) cannot change or break what is measured.
 */
function beforeBundleAt(dir: string): string | undefined {
  if (process.env.BENCH_BEFORE === '0' || (QUICK && process.env.BENCH_BEFORE === undefined)) return undefined;
  const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const ref = process.env.BENCH_BEFORE_REF ?? git(['merge-base', 'HEAD', 'main']);
    execFileSync(
      'sh',
      ['-c', `git archive "$1" dist actions/vercel-deploy | tar -x -C "$2"`, 'sh', ref, dir],
      {
        cwd: root,
      },
    );
    console.log(`  before: the committed bundle of ${git(['rev-parse', '--short', ref])}`);
    return join(dir, 'actions/vercel-deploy/dist/index.js');
  } catch (err) {
    console.log(`  (no before figure: ${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}
const AFTER_BUNDLE = 'actions/vercel-deploy/dist/index.js';
let failures = 0;
const fail = (message: string) => {
  console.error(`  FAIL ${message}`);
  failures++;
};

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

// The baseline: what any script would do with the public API, nothing more.
const BASELINE = `
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
const { API, TOKEN, TEAM, DIR, IN_FLIGHT } = process.env;
const q = '?teamId=' + TEAM + '&skipAutoDetectionConfirmation=1';
const auth = { authorization: 'Bearer ' + TOKEN };
const names = (await readdir(DIR, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(DIR.length + 1));
const files = [];
let next = 0;
await Promise.all(Array.from({ length: Number(IN_FLIGHT) }, async () => {
  while (next < names.length) {
    const file = names[next++];
    const data = await readFile(join(DIR, file));
    const sha = createHash('sha1').update(data).digest('hex');
    const res = await fetch(API + '/v2/files' + q, { method: 'POST', body: data,
      headers: { ...auth, 'content-type': 'application/octet-stream', 'x-vercel-digest': sha } });
    if (res.status !== 200) throw new Error('upload ' + file + ': ' + res.status + ' ' + (await res.text()));
    files.push({ file, sha, size: data.length });
  }
}));
const res = await fetch(API + '/v13/deployments' + q, { method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'bench-static', project: 'bench-static', target: 'production', files }) });
if (res.status !== 200) throw new Error('create: ' + res.status + ' ' + (await res.text()));
`;

const work = await mkdtemp(join(tmpdir(), 'dg-bench-vercel-deploy-'));
const build = join(work, 'build');
await mkdir(build);
const { paths, bytes } = await writeBuild(build);
const baselineScript = join(work, 'baseline.mjs');
await writeFile(baselineScript, BASELINE);
const mb = bytes / 1e6;
console.log(
  `${paths.length} files, ${mb.toFixed(1)} MB (10^6 bytes), ${rounds} deploy rounds, ${hashRounds} hash rounds, ` +
    `${UPLOAD_CONCURRENCY} uploads in flight, Node ${process.version}`,
);

const emulator = () =>
  startVercelEmulator({ queuedMs: 0, buildMs: 0, rateLimit: { limit: 1e9, windowMs: 60_000 } });

/** Checks what the emulator received: every file once, as the first deploy must send them. */
function receivedAll(vercel: VercelEmulator, who: string): void {
  if (vercel.uploads.files !== paths.length || vercel.uploads.bytes !== bytes)
    fail(
      `${who} uploaded ${vercel.uploads.files} files / ${vercel.uploads.bytes} bytes, expected ${paths.length} / ${bytes}`,
    );
}

async function baseline(): Promise<number> {
  const vercel = await emulator();
  try {
    const start = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [baselineScript], {
        env: {
          PATH: process.env.PATH,
          API: vercel.apiUrl,
          TOKEN: vercel.token,
          TEAM: vercel.teamId,
          DIR: build,
          IN_FLIGHT: String(UPLOAD_CONCURRENCY),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const ms = performance.now() - start;
    if (code !== 0) fail(`the baseline exited with ${code}`);
    receivedAll(vercel, 'the baseline');
    return ms;
  } finally {
    await vercel.close();
  }
}

let runNo = 1;
/** The bundle's first deploy on a fresh emulator; `redeploy`: then an unchanged deploy, which must upload nothing. */
async function bundle(action: string, who: string, redeploy: boolean): Promise<number> {
  const vercel = await emulator();
  await vercel.createProject({ name: 'bench-static' });
  const run = (runId: number) =>
    runBundle({
      action,
      workspace: build,
      inputs: {
        'vercel-token': vercel.token,
        'vercel-project': 'bench-static',
        'vercel-team': vercel.teamId,
        'api-url': vercel.apiUrl,
        timeout: '10m',
      },
      env: { NODE_EXTRA_CA_CERTS: vercel.caFile },
      runId,
      timeoutMs: 900_000,
    });
  try {
    const first = await run(runNo++);
    await first.cleanup();
    if (first.exitCode !== 0) fail(`${who} exited with ${first.exitCode}: ${first.stdout.slice(-2000)}`);
    receivedAll(vercel, who);
    if (redeploy) {
      vercel.resetUploadStats();
      const again = await run(runNo++);
      await again.cleanup();
      if (again.exitCode !== 0) fail(`${who}'s unchanged redeploy exited with ${again.exitCode}`);
      if (vercel.uploads.files !== 0 || !again.summary.includes(`0 uploaded of ${paths.length}`))
        fail(`${who}'s unchanged redeploy uploaded ${vercel.uploads.files} files`);
      else console.log(`    ${who}: unchanged redeploy uploaded 0 files, ${again.durationMs.toFixed(0)} ms`);
    }
    return first.durationMs;
  } finally {
    await vercel.close();
  }
}

const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid =
    s.length % 2 ? (s[(s.length - 1) / 2] ?? 0) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
  return { min: s[0] ?? 0, median: mid, max: s.at(-1) ?? 0 };
};
const ratios = (values: number[], digits = 2) => {
  const { min, median, max } = stats(values);
  return `median ${median.toFixed(digits)}× (min ${min.toFixed(digits)}×, max ${max.toFixed(digits)}×)`;
};
const msStats = (values: number[]) => {
  const { min, median, max } = stats(values);
  return `median ${median.toFixed(0)} ms (min ${min.toFixed(0)}, max ${max.toFixed(0)})`;
};

// (a)
const deploy = { baseline: [] as number[], after: [] as number[], before: [] as number[] };
const beforeDir = join(work, 'before');
await mkdir(beforeDir);
const beforeBundle = beforeBundleAt(beforeDir);
const hasBefore = beforeBundle !== undefined && existsSync(beforeBundle);
for (let round = 1; round <= rounds; round++) {
  // The order turns each round, so that neither variant always runs on a machine the other warmed.
  const order = round % 2 ? ['baseline', 'after', 'before'] : ['before', 'after', 'baseline'];
  for (const variant of order) {
    if (variant === 'baseline') deploy.baseline.push(await baseline());
    if (variant === 'after') deploy.after.push(await bundle(AFTER_BUNDLE, 'the bundle', round === 1));
    if (variant === 'before' && hasBefore && beforeBundle)
      deploy.before.push(await bundle(beforeBundle, 'the bundle before', false));
  }
  console.log(
    `  round ${round}: baseline ${deploy.baseline.at(-1)?.toFixed(0)} ms, bundle ${deploy.after.at(-1)?.toFixed(0)} ms` +
      (hasBefore ? `, bundle before ${deploy.before.at(-1)?.toFixed(0)} ms` : ''),
  );
}
const afterRatios = deploy.after.map((ms, i) => ms / (deploy.baseline[i] ?? ms));
console.log(`(a) first deploy of ${paths.length} files, ${mb.toFixed(1)} MB, ${rounds} interleaved rounds:`);
console.log(
  `    baseline (list, SHA-1, fetch ${UPLOAD_CONCURRENCY} at a time, create)  ${msStats(deploy.baseline)}`,
);
console.log(`    vercel-deploy bundle                                  ${msStats(deploy.after)}`);
const afterMedian = stats(afterRatios).median;
console.log(
  `    bundle / baseline, paired per round: ${ratios(afterRatios)}  goal ≤ 1.2×: ${afterMedian <= 1.2 ? 'met' : 'NOT met'}`,
);
reportRow({
  key: 'deploy',
  figure: `first deploy of ${paths.length} files vs parallel upload`,
  goal: { op: '<=', value: 1.2 },
  ratios: afterRatios,
  note: `${mb.toFixed(0)} MB, emulator`,
});
if (hasBefore) {
  const beforeRatios = deploy.before.map((ms, i) => ms / (deploy.baseline[i] ?? ms));
  console.log(`    bundle before (main)                                ${msStats(deploy.before)}`);
  console.log(`    before: bundle before / baseline, paired per round: ${ratios(beforeRatios)}`);
}

// (b) hashing.
const absolute = paths.map((p) => join(build, p));
const sriWanted = (p: string) => p.endsWith('.js') || p.endsWith('.css');
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
// The file list, as the deploy makes it (@vercel/client's rules): sha1sum is given the same list, so
// the figure compares the hashing; listing is timed apart.
const listed: number[] = [];
async function list(): Promise<string[]> {
  const start = performance.now();
  const files = await listBuildFiles(build, false);
  listed.push(performance.now() - start);
  return files;
}
const deployList = await list();
if (deployList.length !== absolute.length)
  fail(`listBuildFiles found ${deployList.length} files, not ${absolute.length}`);
async function ours(): Promise<{ ms: number; digests: Map<string, string>; sri: Map<string, string> }> {
  const start = performance.now();
  const files = await hashFiles(deployList, {
    sri: new Set(deployList.filter(sriWanted)),
    log: () => undefined,
  });
  const ms = performance.now() - start;
  await list();
  return {
    ms,
    digests: new Map(files.map((f) => [f.path, f.sha])),
    sri: new Map(files.filter((f) => f.sri).map((f) => [f.path, f.sri ?? ''])),
  };
}
/** Until now: @vercel/client's hashes() in its createDeployment, then the SRI manifest's own reads. */
async function before(): Promise<number> {
  const start = performance.now();
  await hashes(absolute);
  await Promise.all(
    absolute.filter(sriWanted).map(
      async (p) =>
        `sha384-${createHash('sha384')
          .update(await readFile(p))
          .digest('base64')}`,
    ),
  );
  return performance.now() - start;
}

const hashing = { ours: [] as number[], sha1sum: [] as number[], before: [] as number[] };
for (let round = 0; round <= hashRounds; round++) {
  // The order turns each round: ours, sha1sum, before; then before, sha1sum, ours.
  const early = round % 2 === 0 ? await ours() : undefined;
  const c0 = early ? undefined : await before();
  const b = await sha1sum();
  const c = c0 ?? (await before());
  const a2 = early ?? (await ours());
  if (round === 0) {
    // A warm-up round (not counted), and the checks: the same SHA-1s as sha1sum, SRI as an independent sha384.
    const theirs = new Map(
      b.out
        .trim()
        .split('\n')
        .map((line) => [join(build, line.slice(42)), line.slice(0, 40)] as const),
    );
    const mismatched = absolute.filter((p) => theirs.get(p) !== a2.digests.get(p));
    if (theirs.size !== absolute.length || a2.digests.size !== absolute.length || mismatched.length > 0)
      fail(`sha1sum and hashFiles disagree on ${mismatched.length} files`);
    const sriPaths = absolute.filter(sriWanted);
    const wrongSri = [];
    for (const p of sriPaths)
      if (
        a2.sri.get(p) !==
        `sha384-${createHash('sha384')
          .update(await readFile(p))
          .digest('base64')}`
      )
        wrongSri.push(p);
    if (a2.sri.size !== sriPaths.length || wrongSri.length > 0)
      fail(`SRI differs on ${wrongSri.length} files`);
    continue;
  }
  hashing.ours.push(a2.ms);
  hashing.sha1sum.push(b.ms);
  hashing.before.push(c);
}
const throughput = hashing.ours.map((ms, i) => (hashing.sha1sum[i] ?? 0) / ms);
const throughputBefore = hashing.before.map((ms, i) => (hashing.sha1sum[i] ?? 0) / ms);
console.log(`(b) hashing the ${paths.length} files, ${hashRounds} interleaved rounds:`);
console.log(`    sha1sum, one process (baseline)                       ${msStats(hashing.sha1sum)}`);
console.log(`    ours: one read, SHA-1 (+ SHA-384 of js/css)            ${msStats(hashing.ours)}`);
console.log(`    (listing the files by @vercel/client's rules, apart:   ${msStats(listed)})`);
console.log(`    before: @vercel/client hashes() + SRI's second read    ${msStats(hashing.before)}`);
const hashMedian = stats(throughput).median;
console.log(
  `    throughput, ours / sha1sum, paired per round: ${ratios(throughput)}  goal ≥ 0.8×: ${hashMedian >= 0.8 ? 'met' : 'NOT met'}`,
);
console.log(`    before / sha1sum, paired per round: ${ratios(throughputBefore)}`);
reportRow({
  key: 'hashing',
  figure: 'file hashing throughput vs sha1sum',
  goal: { op: '>=', value: 0.8 },
  ratios: throughput,
  note: `${paths.length} files`,
});

await rm(work, { recursive: true, force: true });
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
