import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { dumpDatabase, listArchive, RESTORE_ARGS, schemasOf } from '../src/backup/pg-dump.js';
import { replaceFromArchive } from '../src/backup/replace-from-archive.js';
import { clientEnv, parseDatabaseUrl } from '../src/db/connection.js';
import { rowCounts, withClient } from '../src/db/queries.js';
import { runTool } from '../src/db/run-tool.js';
import { findPgTool } from '../src/db/tools.js';
import { median, ratio, timed } from './support/measure.js';
import { benchPostgres } from './support/postgres.js';

const scale = Number(process.env.BENCH_DB_SCALE ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
if (!(scale > 0) || !(rounds >= 1)) throw new Error('BENCH_DB_SCALE and BENCH_ROUNDS must be positive');
const jobs = availableParallelism();
const DB = 'bench';

const { work, cluster, close } = await benchPostgres('dg-bench-restore-');

try {
  const target = parseDatabaseUrl('database-url', cluster.url(DB));
  const tools = await clientEnv(target, work);
  const env = tools.env;
  const pgDump = await findPgTool('pg_dump', 0);
  const pgRestore = await findPgTool('pg_restore', 0);
  const psql = await findPgTool('psql', 0);
  await cluster.createDatabase(DB);
  await runTool(join(cluster.binDir, 'pgbench'), ['-i', '-s', String(scale), '-q', DB], env);
  const mb = Number(await cluster.psql('SELECT pg_database_size(current_database())', DB)) / 1e6;
  const expected = await withClient(target, (c) => rowCounts(c));
  const dumpDir = join(work, 'dump');
  await dumpDatabase(pgDump, env, dumpDir, { jobs, compression: 6 });
  const schemas = schemasOf(await listArchive(pgRestore, env, dumpDir));
  console.log(
    `pgbench -s ${scale}: ${mb.toFixed(0)} MB, ${expected['public.pgbench_accounts']} rows in pgbench_accounts; ${jobs} cores`,
  );

  const dropSchemas = () =>
    runTool(
      psql.path,
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `${schemas.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE;`).join(' ')} CREATE SCHEMA IF NOT EXISTS public;`,
      ],
      env,
    );
  const variants: Record<string, () => Promise<unknown>> = {
    '(a) ours: pg_restore | psql in one transaction': () =>
      replaceFromArchive(pgRestore, psql, env, dumpDir, schemas),
    '(b) pg_restore --clean --single-transaction': () =>
      runTool(
        pgRestore.path,
        [
          ...RESTORE_ARGS,
          '--clean',
          '--if-exists',
          '--single-transaction',
          '--exit-on-error',
          `--dbname=${DB}`,
          dumpDir,
        ],
        env,
      ),
    [`(c) no transaction: drop, pg_restore -j${jobs}`]: async () => {
      await dropSchemas();
      await runTool(
        pgRestore.path,
        [...RESTORE_ARGS, `--jobs=${jobs}`, '--exit-on-error', `--dbname=${DB}`, dumpDir],
        env,
      );
    },
  };
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds + 1; round++) {
    // Rotated each round, so that none always runs after the same one.
    const order = names.map((_, i) => names[(i + round) % names.length] ?? '');
    for (const name of order) {
      const ms = await timed(() => variants[name]?.() ?? Promise.resolve());
      const counts = await withClient(target, (c) => rowCounts(c));
      const wrong = Object.keys(expected).filter((t) => expected[t] !== counts[t]);
      if (wrong.length) throw new Error(`${name} restored different row counts: ${wrong.join(', ')}`);
      if (round > 0) samples[name]?.push(ms);
      process.stderr.write(
        `  round ${round}${round ? '' : ' (warm-up)'}: ${name} ${(ms / 1000).toFixed(2)} s\n`,
      );
    }
  }
  const med = Object.fromEntries(names.map((n) => [n, median(samples[n] ?? [])]));
  const base = med[names[2] ?? ''] ?? 1;
  console.log(`Medians of ${rounds} rounds, replacing a live ${mb.toFixed(0)} MB database:`);
  for (const name of names)
    console.log(
      `  ${name.padEnd(48)} ${((med[name] ?? 0) / 1000).toFixed(2).padStart(7)} s  ${ratio(med[name] ?? 0, base)}`,
    );
  await tools.dispose();
} finally {
  await close();
}
