// Issue 20 (backup and restore): the committed bundles of db-migrate-backup and rollback, started as the
// runner starts them (sandbox/runner/run-bundle.ts: Node 24, the runner's variables and file commands,
// action.yml's defaults for every input not given), against the raw tools on the same database, in
// interleaved rounds (the order reversed every other round). Every run must exit 0, or the bench fails.
// - backup: db-migrate-backup with its defaults (pg_dump -Fd with the runner's cores, compression 6,
//   verify: checksums, age with a passphrase, a path store; its migrations are all applied, so the run is
//   the backup, its verification and the migration check) vs `pg_dump -Fc` of the same database.
// - restore: rollback (whole action: the app step on the Vercel emulator, then the database restored
//   from that backup: fetch, decrypt, checks, the safety backup, the one-transaction restore, counts) vs
//   `pg_restore` of the -Fc dump into a new database. Between rounds, untimed, the release is put back:
//   production on the failed deployment, the migration's table and its schema_migrations row.
// Figure: paired ratio per round (action / raw tool), min/median/max. Goal ≤ 0.7× for both.
// BENCH_DB_SCALE: pgbench scale (default 10, ≈ 160 MB; quick 1; the issue's 1.1 GB is -s 70);
// BENCH_ROUNDS (default 3, quick 1).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubEmulator } from '../sandbox/github/emulator.js';
import { runBundle } from '../sandbox/runner/run-bundle.js';
import { startVercelEmulator } from '../sandbox/vercel/emulator.js';
import { envNumber, formatSpread, pairedRatios, pairedRounds, spread, timeChild } from './support/measure.js';
import { benchPostgres } from './support/postgres.js';
import { reportError, reportRow } from './support/report.js';

const scale = envNumber('BENCH_DB_SCALE', 10, 1);
const rounds = envNumber('BENCH_ROUNDS', 3, 1);
const KEY = 'bench passphrase: correct horse battery staple';
const DB = 'bench';
const MIGRATION = '20260301000000';

const { work, cluster, close } = await benchPostgres('dg-bench-db-');
const vercel = await startVercelEmulator({
  queuedMs: 0,
  buildMs: 0,
  rateLimit: { limit: 1e9, windowMs: 60_000 },
});
const github = await startGitHubEmulator();
const tool = (name: string) => join(cluster.binDir, name);
const url = (db: string) => `${cluster.url(db)}?sslmode=disable`;
let failures = 0;

try {
  await cluster.createDatabase(DB);
  await timeChild(tool('pgbench'), ['-i', '-s', String(scale), '-q', cluster.url(DB)]);
  const mb = Number(await cluster.psql('SELECT pg_database_size(current_database())', DB)) / 1e6;
  console.log(
    `pgbench -i -s ${scale}: ${mb.toFixed(0)} MB database; PostgreSQL ${await cluster.psql('SHOW server_version')}`,
  );

  const ws = join(work, 'workspace');
  mkdirSync(join(ws, 'db/migrations'), { recursive: true });
  writeFileSync(
    join(ws, `db/migrations/${MIGRATION}_consents.sql`),
    '-- migrate:up\nCREATE TABLE consents (id int);\n-- migrate:down\nDROP TABLE consents;\n',
  );
  const store = join(work, 'store');
  mkdirSync(store);
  const PATH = `${join(import.meta.dirname, '..', 'node_modules/.bin')}:${process.env.PATH}`;
  let runNo = 0;
  const backupAction = async () =>
    runBundle({
      action: 'actions/db-migrate-backup/dist/index.js',
      workspace: ws,
      inputs: {
        'database-url': url(DB),
        'backup-storage': 'path',
        'backup-path': store,
        'encryption-key': KEY,
      },
      env: { PATH },
      runId: String(900000 + ++runNo),
      stepId: 'db',
      timeoutMs: 3_600_000,
    });

  // The deploy: the backup before the migration, then the migration; the rollback restores this backup.
  const deploy = await backupAction();
  await deploy.cleanup();
  if (deploy.exitCode !== 0)
    throw new Error(`db-migrate-backup exited ${deploy.exitCode}:\n${deploy.stdout.slice(-3000)}`);
  const backup = {
    id: deploy.outputs['backup-id'] ?? '',
    location: deploy.outputs['backup-location'] ?? '',
    applied: deploy.outputs['migrations-applied'] ?? '',
  };
  console.log(`  the deploy's backup ${backup.id}, migrations applied ${backup.applied}`);

  const previous = await vercel.seedDeployment({
    project: 'bench-db',
    target: 'production',
    files: { 'index.html': 'v1' },
  });
  const current = await vercel.seedDeployment({
    project: 'bench-db',
    target: 'production',
    files: { 'index.html': 'v2' },
  });
  const project = vercel.project('bench-db');
  /** Untimed: the failed release back in place (production on v2, the migration applied). */
  async function releaseAgain(): Promise<void> {
    const res = await fetch(
      `${vercel.apiUrl}/v10/projects/${project?.id}/promote/${current.id}?teamId=${vercel.teamId}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${vercel.token}` },
      },
    );
    if (!res.ok) throw new Error(`promote: ${res.status}`);
    // The restore took the database back to before dbmate's first run: no schema_migrations either.
    await cluster.psql(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY); ' +
        'CREATE TABLE IF NOT EXISTS consents (id int); ' +
        `INSERT INTO schema_migrations (version) VALUES ('${MIGRATION}') ON CONFLICT DO NOTHING`,
      DB,
    );
  }

  const rawDump = join(work, 'raw.dump');
  let fresh = 0;
  const samples = await pairedRounds(
    {
      backup: async () => {
        const run = await backupAction();
        await run.cleanup();
        if (run.exitCode !== 0)
          throw new Error(`db-migrate-backup exited ${run.exitCode}:\n${run.stdout.slice(-3000)}`);
        // Only the deploy's backup is kept.
        const loc = run.outputs['backup-location'] ?? '';
        if (loc.startsWith('path:')) rmSync(loc.slice(5), { recursive: true, force: true });
        return run.durationMs;
      },
      'pg_dump -Fc': async () => {
        rmSync(rawDump, { force: true });
        return timeChild(tool('pg_dump'), [
          '-Fc',
          '--no-password',
          `--file=${rawDump}`,
          `--dbname=${cluster.url(DB)}`,
        ]);
      },
      restore: async () => {
        await releaseAgain();
        const run = await runBundle({
          action: 'actions/rollback/dist/index.js',
          workspace: ws,
          inputs: {
            'vercel-token': vercel.token,
            'vercel-project': 'bench-db',
            'vercel-team': vercel.teamId,
            'api-url': vercel.apiUrl,
            'previous-deployment-id': previous.id,
            'failed-deployment-id': current.id,
            'database-url': url(DB),
            'backup-id': backup.id,
            'backup-location': backup.location,
            'encryption-key': KEY,
            'migrations-applied': backup.applied,
            'github-token': github.token,
            reason: 'bench',
          },
          env: { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl, PATH },
          runId: String(910000 + ++runNo),
          stepId: 'rollback',
          timeoutMs: 3_600_000,
        });
        await run.cleanup();
        if (run.exitCode !== 0)
          throw new Error(`rollback exited ${run.exitCode}:\n${run.stdout.slice(-3000)}`);
        if (run.outputs['database-restored-from'] !== backup.id)
          throw new Error(`rollback did not restore the database: ${JSON.stringify(run.outputs)}`);
        return run.durationMs;
      },
      pg_restore: async () => {
        if (!(await cluster.psql(`SELECT 1`).catch(() => ''))) throw new Error('cluster down');
        const name = `raw_${fresh++}`;
        await cluster.createDatabase(name);
        try {
          return await timeChild(tool('pg_restore'), [
            '--no-password',
            `--dbname=${cluster.url(name)}`,
            rawDump,
          ]);
        } finally {
          await cluster.psql(`DROP DATABASE ${name} WITH (FORCE)`);
        }
      },
    },
    rounds,
    0,
    (round, t) =>
      console.log(
        `  round ${round + 1}: ${Object.entries(t)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
          .join(', ')}`,
      ),
  );
  for (const [name, ms] of Object.entries(samples))
    console.log(`  ${name}: ${formatSpread(spread(ms.map((v) => v / 1000)), ' s')}`);
  const note = `pgbench -s ${scale}, ${mb.toFixed(0)} MB`;
  reportRow({
    key: 'backup',
    figure: 'backup with verification (db-migrate-backup) vs pg_dump -Fc',
    goal: { op: '<=', value: 0.7 },
    ratios: pairedRatios(samples.backup ?? [], samples['pg_dump -Fc'] ?? []),
    note,
  });
  reportRow({
    key: 'restore',
    figure: 'rollback restore (whole action) vs pg_restore',
    goal: { op: '<=', value: 0.7 },
    ratios: pairedRatios(samples.restore ?? [], samples.pg_restore ?? []),
    note,
  });
} catch (err) {
  failures++;
  reportError('backup', 'backup with verification (db-migrate-backup) vs pg_dump -Fc', '≤ 0.7×', err);
  reportError('restore', 'rollback restore (whole action) vs pg_restore', '≤ 0.7×', err);
} finally {
  await Promise.all([vercel.close(), github.close()]);
  await close();
}
if (failures > 0) process.exit(1);
