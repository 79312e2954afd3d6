// Evidence for the upstream report on @vercel/client (docs of it: bench/upstream/vercel-client-upload.md):
// its uploadFiles() waits on the uploads with `Promise.race(Object.values(uploadList))` once per finished
// upload, so n uploads cost n races over up to n promises, each race attaching a reaction to every pending
// one: quadratic in the file count. Measured here in one process against the Vercel emulator, on n and 4n
// in-memory 1 KB files (small, so that the wait loop and not the transfer shows), @vercel/client's
// uploadFiles against the same POST /v2/files done by a plain pool of the same 50 uploads in flight.
// Figure per size: client / pool, paired per round. Linear code keeps that ratio flat from n to 4n; the
// growth printed (ratio at 4n / ratio at n) is ~1 for linear and rises with n for a quadratic loop.
// Not a row of issue 20's table (our deploy does not use this loop any more: src/vercel/upload.ts).
// BENCH_FILES (default 2000, quick 500) is n; BENCH_ROUNDS (default 3, quick 1).
import { createHash } from 'node:crypto';
import { UploadProgress, uploadFiles } from '@vercel/client/dist/upload.js';
import type { FilesMap } from '@vercel/client/dist/utils/hashes.js';
import { startVercelEmulator } from '../sandbox/vercel/emulator.js';
import { mapLimit } from '../src/util/concurrency.js';
import { envNumber, formatSpread, median, spread } from './support/measure.js';

const N = envNumber('BENCH_FILES', 2000, 500);
const rounds = envNumber('BENCH_ROUNDS', 3, 1);
const IN_FLIGHT = 50; // @vercel/client's own semaphore size

function build(count: number, seed: number): FilesMap {
  const files: FilesMap = new Map();
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(1024, 0x20);
    data.write(`file ${seed}-${i}`, 'latin1');
    const sha = createHash('sha1').update(data).digest('hex');
    files.set(sha, { names: [`/build/f${i}.txt`], data, mode: 0o644 });
  }
  return files;
}

async function viaClient(files: FilesMap): Promise<number> {
  const emulator = await startVercelEmulator({ rateLimit: { limit: 1e9, windowMs: 60_000 } });
  try {
    const shas: string[] = [];
    const uploads: UploadProgress[] = [];
    for (const [sha, file] of files)
      if (sha) {
        shas.push(sha);
        uploads.push(new UploadProgress(sha, file));
      }
    const start = performance.now();
    let done = 0;
    for await (const event of uploadFiles({
      token: emulator.token,
      teamId: emulator.teamId,
      apiUrl: emulator.apiUrl,
      files,
      shas,
      uploads,
    } as Parameters<typeof uploadFiles>[0])) {
      if (event.type === 'error') throw event.payload;
      if (event.type === 'file-uploaded') done++;
    }
    const ms = performance.now() - start;
    if (done !== files.size || emulator.uploads.files !== files.size)
      throw new Error(
        `@vercel/client uploaded ${done} of ${files.size} (emulator got ${emulator.uploads.files})`,
      );
    return ms;
  } finally {
    await emulator.close();
  }
}

async function viaPool(files: FilesMap): Promise<number> {
  const emulator = await startVercelEmulator({ rateLimit: { limit: 1e9, windowMs: 60_000 } });
  try {
    const url = `${emulator.apiUrl}/v2/files?teamId=${emulator.teamId}`;
    const start = performance.now();
    await mapLimit([...files], IN_FLIGHT, async ([sha, file]) => {
      const res = await fetch(url, {
        method: 'POST',
        body: file.data,
        headers: {
          authorization: `Bearer ${emulator.token}`,
          'content-type': 'application/octet-stream',
          'x-now-digest': sha,
        },
      });
      if (res.status !== 200) throw new Error(`upload ${sha}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    });
    const ms = performance.now() - start;
    if (emulator.uploads.files !== files.size)
      throw new Error(`pool: the emulator got ${emulator.uploads.files} of ${files.size}`);
    return ms;
  } finally {
    await emulator.close();
  }
}

const sizes = [N, 4 * N];
const ratios = new Map<number, number[]>(sizes.map((n) => [n, []]));
const times = new Map<string, number[]>();
const keep = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
// Warm both paths (JIT, sockets) on a small set first.
await viaClient(build(100, -1));
await viaPool(build(100, -2));
for (let round = 0; round < rounds; round++) {
  for (const n of sizes) {
    const files = build(n, round * 10 + n);
    // Alternate the order per round so neither side always runs on the warmer process.
    const [first, second] = round % 2 === 0 ? [viaClient, viaPool] : [viaPool, viaClient];
    const a = await first(files);
    const b = await second(build(n, round * 10 + n + 1));
    const [client, pool] = first === viaClient ? [a, b] : [b, a];
    keep(`client ${n}`, client);
    keep(`pool ${n}`, pool);
    ratios.get(n)?.push(client / pool);
  }
}
console.log(
  `@vercel/client uploadFiles vs a plain pool of ${IN_FLIGHT} uploads, 1 KB files, ${rounds} rounds (Node ${process.version})`,
);
for (const n of sizes) {
  const client = median(times.get(`client ${n}`) ?? []);
  const pool = median(times.get(`pool ${n}`) ?? []);
  console.log(
    `  ${String(n).padStart(6)} files: @vercel/client ${client.toFixed(0).padStart(6)} ms (${((client / n) * 1000).toFixed(0)} µs/file), pool ${pool.toFixed(0).padStart(6)} ms (${((pool / n) * 1000).toFixed(0)} µs/file); client / pool ${formatSpread(spread(ratios.get(n) ?? []))}`,
  );
}
const growth = median(ratios.get(4 * N) ?? []) / median(ratios.get(N) ?? []);
console.log(
  `  growth of client / pool from ${N} to ${4 * N} files: ${growth.toFixed(2)}× (≈ 1 when both are linear)`,
);
