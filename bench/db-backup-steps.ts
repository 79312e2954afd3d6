// Not a row of the table: the backup and restore steps one by one with the library functions, in-process, for
// finding where the time goes. The figures of the table (the shipped bundles against pg_dump and pg_restore) are
// bench/db-backup.ts.
import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checksumDir, mismatches } from '../src/backup/checksums.js';
import { decryptDir, encryptDir } from '../src/backup/encryption.js';
import { MANIFEST_FILE, readManifest } from '../src/backup/manifest.js';
import { PathStore } from '../src/backup/path-store.js';
import { dumpDatabase, listArchive, restoreArchive, schemasOf } from '../src/backup/pg-dump.js';
import { replaceFromArchive } from '../src/backup/replace-from-archive.js';
import { fetchBackup, restoreBackup } from '../src/backup/restore-backup.js';
import { clientEnv, parseDatabaseUrl, withDatabase } from '../src/db/connection.js';
import { rowCounts, withClient } from '../src/db/queries.js';
import { runTool } from '../src/db/run-tool.js';
import { findPgTool } from '../src/db/tools.js';
import { readMigrateInputs } from '../src/migrate/inputs.js';
import { backupPhase } from '../src/migrate/run.js';
import { runContext } from '../src/runner/runner.js';
import { median, ratio, timed } from './support/measure.js';
import { benchPostgres } from './support/postgres.js';

const scale = Number(process.env.BENCH_DB_SCALE ?? 65);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const warmup = Number(process.env.BENCH_WARMUP ?? 1);
const breakdown = process.env.BENCH_BREAKDOWN !== '0';
if (!(scale > 0) || !(rounds >= 1) || !(warmup >= 0)) {
  throw new Error('BENCH_DB_SCALE and BENCH_ROUNDS must be positive numbers, BENCH_WARMUP at least 0');
}
const jobs = availableParallelism();
const PASSPHRASE = 'bench passphrase: correct horse battery staple';
const DB = 'bench';

const { work, cluster, close } = await benchPostgres('dg-bench-db-');

const fmtMs = (ms: number) => `${(ms / 1000).toFixed(2).padStart(7)} s`;

try {
  const target = parseDatabaseUrl('database-url', cluster.url(DB));
  const runnerTemp = join(work, 'runner-temp');
  const storeRoot = join(work, 'store');
  const workspace = join(work, 'workspace');
  await mkdir(workspace, { recursive: true });
  const tools = await clientEnv(target, work);
  const env = tools.env;
  const pgDump = await findPgTool('pg_dump', 0);
  const pgRestore = await findPgTool('pg_restore', 0);
  const psql = await findPgTool('psql', 0);

  await cluster.createDatabase(DB);
  const initMs = await timed(() =>
    runTool(join(cluster.binDir, 'pgbench'), ['-i', '-s', String(scale), '-q', DB], env),
  );
  const sizeBytes = Number(await cluster.psql('SELECT pg_database_size(current_database())', DB));
  const mb = sizeBytes / 1e6;
  const mbps = (ms: number) => `${(mb / (ms / 1000)).toFixed(1).padStart(6)} MB/s`;
  console.log(
    `pgbench -i -s ${scale}: ${mb.toFixed(0)} MB database in ${(initMs / 1000).toFixed(1)} s; ` +
      `${jobs} cores (our jobs), PostgreSQL ${await cluster.psql('SHOW server_version')}, temp ${work}`,
  );

  // The action as db-migrate-backup reads it: defaults for everything but the passphrase and a path store.
  const given: Record<string, string> = {
    'database-url': cluster.url(DB),
    'encryption-key': PASSPHRASE,
    'backup-storage': 'path',
    'backup-path': storeRoot,
  };
  const rawDump = join(work, 'raw.dump');
  let keptLocation = '';
  let fresh = 0;
  const logs: string[] = [];
  const dumpMsInside: number[] = [];
  const fetchMs: number[] = [];
  const restoreMs: number[] = [];
  const pgRestoreMs: number[] = [];

  async function withFreshDb(fn: (name: string) => Promise<unknown>): Promise<number> {
    const name = `restore_${fresh++}`;
    await cluster.createDatabase(name);
    try {
      return await timed(() => fn(name));
    } finally {
      await cluster.psql(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  }

  const variants: Record<string, () => Promise<number>> = {
    'backup: ours (backupPhase)': async () => {
      const ctx = runContext({
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: runnerTemp,
        GITHUB_RUN_ID: `bench${fresh++}`,
      });
      // Nothing is logged here, so there is nothing to mask.
      const inputs = readMigrateInputs(
        (name) => given[name] ?? '',
        ctx,
        () => {},
      );
      let result: Awaited<ReturnType<typeof backupPhase>> | undefined;
      const ms = await timed(async () => {
        result = await backupPhase(inputs, ctx, new PathStore(storeRoot), (m) => logs.push(m));
      });
      if (!result) throw new Error('no backup');
      dumpMsInside.push(result.manifest.dump.durationMs);
      // The first backup is the one every restore fetches; the others go.
      if (!keptLocation) keptLocation = result.location;
      else await rm(result.location.slice('path:'.length), { recursive: true, force: true });
      return ms;
    },
    'backup: pg_dump -Fc': async () => {
      await rm(rawDump, { force: true });
      return timed(() => runTool(pgDump.path, ['-Fc', '--no-password', `--file=${rawDump}`, DB], env));
    },
    'restore: ours (fetchBackup + restoreBackup)': async () => {
      let cleanup = async () => {};
      try {
        return await withFreshDb(async (name) => {
          let fetched: Awaited<ReturnType<typeof fetchBackup>> | undefined;
          fetchMs.push(
            await timed(async () => {
              fetched = await fetchBackup(new PathStore('/'), keptLocation, runnerTemp, {
                kind: 'passphrase',
                passphrase: PASSPHRASE,
              });
            }),
          );
          if (!fetched) throw new Error('nothing fetched');
          cleanup = fetched.cleanup;
          const ready = fetched;
          restoreMs.push(
            await timed(async () => {
              const { durationMs } = await restoreBackup(withDatabase(target, name), ready, runnerTemp);
              pgRestoreMs.push(durationMs);
            }),
          );
        });
      } finally {
        await cleanup();
      }
    },
    'restore: pg_restore': () =>
      withFreshDb((name) => runTool(pgRestore.path, ['--no-password', `--dbname=${name}`, rawDump], env)),
  };

  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    // Ours first in even rounds, the raw tool first in odd ones: neither always follows the other.
    const pairs = [
      [names[0], names[1]],
      [names[2], names[3]],
    ].map((p) => (round % 2 ? [...p].reverse() : p));
    for (const name of pairs.flat()) {
      const run = name ? variants[name] : undefined;
      if (!name || !run) continue;
      const ms = await run();
      if (round >= warmup) samples[name]?.push(ms);
      process.stderr.write(
        `  round ${round + 1 - warmup}${round < warmup ? ' (warm-up)' : ''}: ${name} ${fmtMs(ms)}\n`,
      );
    }
  }

  const med = Object.fromEntries(names.map((k) => [k, median(samples[k] ?? [])]));
  const [oursBackup, rawBackup, oursRestore, rawRestore] = names.map((k) => med[k] ?? 0) as [
    number,
    number,
    number,
    number,
  ];
  const stored = await checksumDir(keptLocation.slice('path:'.length));
  const storedMb = stored.reduce((a, f) => a + f.bytes, 0) / 1e6;
  const rawMb = (await stat(rawDump)).size / 1e6;
  console.log(
    `${mb.toFixed(0)} MB database (pg_database_size), dumps: ${rawMb.toFixed(1)} MB -Fc, ${storedMb.toFixed(1)} MB ours encrypted; ${rounds} rounds, medians:`,
  );
  for (const name of names) {
    console.log(`  ${name.padEnd(46)} ${fmtMs(med[name] ?? 0)}  ${mbps(med[name] ?? 1)}`);
  }
  console.log(`  backup  ours/raw ${ratio(oursBackup, rawBackup)} (goal ≤ 0.70×)`);
  console.log(`  restore ours/raw ${ratio(oursRestore, rawRestore)} (goal ≤ 0.70×)`);
  const encryptMs = logs.flatMap((l) => /Encrypted with age .* in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
  console.log(
    `  inside our backup (medians): pg_dump ${fmtMs(median(dumpMsInside.slice(warmup)))}, age encryption + its sha256 ${fmtMs(median(encryptMs.slice(warmup)))}`,
  );
  const restoreOnly = median(restoreMs.slice(warmup));
  console.log(
    `  inside our restore (medians): fetchBackup ${fmtMs(median(fetchMs.slice(warmup)))}, restoreBackup ${fmtMs(restoreOnly)} ` +
      `(its pg_restore ${fmtMs(median(pgRestoreMs.slice(warmup)))}); restoreBackup alone / pg_restore ${ratio(restoreOnly, rawRestore)}`,
  );

  if (breakdown) {
    // The same steps one by one, with the product's own functions, once.
    const steps: [string, number][] = [];
    const step = async (label: string, fn: () => Promise<unknown>) => {
      steps.push([label, await timed(fn)]);
    };
    const b = join(work, 'breakdown');
    const dumpDir = join(b, 'dump');
    const encDir = join(b, 'encrypted');
    await mkdir(b, { recursive: true });
    await step('backup  row counts (count(*) of every table)', () => withClient(target, (c) => rowCounts(c)));
    await step(`backup  pg_dump -Fd -j${jobs} -Z6`, () =>
      dumpDatabase(pgDump, env, dumpDir, { jobs, compression: 6 }),
    );
    await step('backup  sha256 of the dump', () => checksumDir(dumpDir));
    let toc: string[] = [];
    await step('backup  pg_restore --list', async () => {
      toc = await listArchive(pgRestore, env, dumpDir);
    });
    await step('backup  age encryption (passphrase)', () =>
      encryptDir(dumpDir, encDir, { kind: 'passphrase', passphrase: PASSPHRASE }),
    );
    await step('backup  sha256 of the encrypted files', () => checksumDir(encDir));
    await step('backup  path store put', () => new PathStore(join(b, 'store')).put('x', encDir));
    const stored2 = join(b, 'fetched');
    const plain = join(b, 'plain');
    const manifest = await readManifest(join(keptLocation.slice('path:'.length), MANIFEST_FILE));
    await step('restore path store get', () => new PathStore('/').get(keptLocation, stored2));
    await step('restore sha256 of the stored files', () =>
      mismatches(stored2, manifest.storedFiles ?? [], [MANIFEST_FILE]),
    );
    await step('restore age decryption (passphrase)', () =>
      decryptDir(stored2, plain, { kind: 'passphrase', passphrase: PASSPHRASE }),
    );
    await step('restore sha256 of the decrypted files', () => mismatches(plain, manifest.files));
    await step('restore pg_restore --list', () => listArchive(pgRestore, env, plain));
    const into = `restore_${fresh++}`;
    await cluster.createDatabase(into);
    await step(`restore pg_restore -j${jobs} of the directory dump`, () =>
      restoreArchive(pgRestore, { ...env, PGDATABASE: into }, plain, { jobs }),
    );
    // What a rollback does: the same restore over the live database in one transaction (one session).
    await step('restore one transaction (pg_restore | psql -1) over it', () =>
      replaceFromArchive(pgRestore, psql, { ...env, PGDATABASE: into }, plain, schemasOf(toc)),
    );
    await step('restore row counts (count(*) of every table)', () =>
      withClient(withDatabase(target, into), (c) => rowCounts(c)),
    );
    await cluster.psql(`DROP DATABASE ${into} WITH (FORCE)`);
    // What the raw tools can do with more than one job, for comparison.
    const into2 = `restore_${fresh++}`;
    await cluster.createDatabase(into2);
    await step(`raw     pg_restore -j${jobs} of the -Fc dump`, () =>
      runTool(pgRestore.path, ['--no-password', `--jobs=${jobs}`, `--dbname=${into2}`, rawDump], env),
    );
    await cluster.psql(`DROP DATABASE ${into2} WITH (FORCE)`);
    await rm(b, { recursive: true, force: true });

    console.log('One pass through the steps:');
    for (const [label, ms] of steps) console.log(`  ${label.padEnd(46)} ${fmtMs(ms)}`);
  }
  await tools.dispose();
} finally {
  await close();
}
