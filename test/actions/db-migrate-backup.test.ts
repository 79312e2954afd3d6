import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { startArtifactService } from '../../sandbox/artifact/service.js';
import type { PgCluster } from '../../sandbox/postgres/cluster.js';
import { type ActionRun, leakedSecrets, runBundle } from '../../sandbox/runner/run-bundle.js';
import { PathStore } from '../../src/backup/path-store.js';
import { fetchBackup } from '../../src/backup/restore-backup.js';
import { workspace } from '../policy/helpers.js';
import { cleanedRuns, usePostgres } from '../support/action-world.js';
import { untilRow } from '../support/until-row.js';

// db-migrate-backup, run from its committed bundle as the runner runs it, against a real PostgreSQL.
const ACTION = 'actions/db-migrate-backup/dist/index.js';
const KEY = 'passphrase-for-tests-9f2c';
let pgc: PgCluster;
let n = 0;
const runs = cleanedRuns();
usePostgres((started) => {
  pgc = started;
});

/** A fresh database with 200 patients; its URL as dbmate wants it (no TLS on the test server). */
async function database(): Promise<{ name: string; url: string }> {
  const name = `clinic_${++n}`;
  await pgc.createDatabase(name);
  await pgc.psql(
    `CREATE TABLE patients (id serial PRIMARY KEY, name text, cpf text); INSERT INTO patients (name, cpf) SELECT 'p'||g, 'c'||g FROM generate_series(1,200) g;`,
    name,
  );
  return { name, url: `${pgc.url(name)}?sslmode=disable` };
}

const dbmate = (files: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(files).map(([k, v]) => [
      `db/migrations/${k}`,
      `-- migrate:up\n${v}\n-- migrate:down\nSELECT 1;\n`,
    ]),
  );

async function migrate(
  inputs: Record<string, string>,
  files: Record<string, unknown>,
  rerun: { runId: string; attempt: number; backups: string } | undefined = undefined,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const backups = rerun?.backups ?? mkdtempSync(join(tmpdir(), 'dg-backups-'));
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(files),
    inputs: { 'backup-storage': 'path', 'backup-path': backups, 'encryption-key': KEY, jobs: '2', ...inputs },
    ...(rerun ? { runId: rerun.runId, runAttempt: rerun.attempt } : {}),
    env,
    stepId: 'db',
    timeoutMs: 120_000,
  });
  runs.push(run);
  return run;
}

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');
const tableExists = async (db: string, table: string) =>
  (await pgc.psql(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${table}'`, db)) ===
  '1';

describe('db-migrate-backup action', { timeout: 180_000 }, () => {
  it('backs up (verified, encrypted, stored), then applies dbmate migrations and checks the row counts', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url, verify: 'restore' },
      dbmate({
        '20260301000000_consents.sql': 'CREATE TABLE consents (id int, patient int NOT NULL DEFAULT 0);',
      }),
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      'backup-id': expect.stringContaining(db.name),
      'migrations-applied': '["20260301000000"]',
      'migrations-pending': '["20260301000000"]',
      'schema-version-after': '20260301000000',
      decision: 'pass',
    });
    expect(await tableExists(db.name, 'consents')).toBe(true);
    const manifest = JSON.parse(readFileSync(run.outputs['backup-manifest'] ?? '', 'utf8'));
    expect(manifest).toMatchObject({
      verified: true,
      rowCounts: { 'public.patients': 200 },
      encryption: { kind: 'passphrase' },
    });
    expect(manifest.verification.restore).toBe('matched');
    // Another runner reads it back by its location alone, and the checksums hold.
    const location = run.outputs['backup-location'] ?? '';
    const fetched = await fetchBackup(new PathStore('/'), location, mkdtempSync(join(tmpdir(), 'dg-f-')), {
      kind: 'passphrase',
      passphrase: KEY,
    });
    expect(fetched.manifest.id).toBe(run.outputs['backup-id']);
    await fetched.cleanup();
    expect(run.summary).toContain('### Database: backup, then migrations');
    expect(run.summary).toMatch(/^- 20260301000000 \(\d+ ms\)$/m);
    expect(leakedSecrets(run, [pgc.password, KEY])).toEqual([]);
  });

  it('runs node-pg-migrate migrations for real', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url, migrate: 'node-pg-migrate' },
      {
        'migrations/1767225600000_appointments.js':
          'exports.up = (pgm) => { pgm.createTable("appointments", { id: "id", at: { type: "timestamptz", notNull: true } }); };\nexports.down = false;\n',
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs['migrations-applied'] ?? '[]')).toEqual(['1767225600000_appointments']);
    expect(await tableExists(db.name, 'appointments')).toBe(true);
  });

  it('stops before a destructive change (backup taken, nothing migrated) and lets a scoped waiver through', async () => {
    const db = await database();
    const files = dbmate({ '20260302000000_drop_cpf.sql': 'ALTER TABLE patients DROP COLUMN cpf;' });
    const blocked = await migrate({ 'database-url': db.url }, files);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.outputs['backup-id']).toBeTruthy();
    expect(blocked.outputs['migrations-applied']).toBe('[]');
    expect(
      await pgc.psql(
        "SELECT count(*) FROM information_schema.columns WHERE table_name='patients' AND column_name='cpf'",
        db.name,
      ),
    ).toBe('1');
    expect(
      errors(blocked)
        .map((e) => e.message)
        .join('\n'),
    ).toMatch(/db-migrate\.no-drop-column/);

    const waivers = {
      waivers: [
        {
          rule: 'db-migrate.no-drop-column',
          scope: '/dbMigrate/lint/findings/0',
          reason: 'CPF moved to the vault',
          approver: 'dpo@neonpro.healthcare',
          ticket: 'DB-12',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      ],
    };
    const waived = await migrate(
      { 'database-url': db.url, waivers: 'waivers.json' },
      { ...files, 'waivers.json': waivers },
    );
    expect(waived.exitCode, waived.stdout).toBe(0);
    expect(waived.outputs['migrations-applied']).toBe('["20260302000000"]');
  });

  it('blocks DROP SCHEMA … CASCADE and DROP VIEW (which the old parser could not read, so they ran): nothing is applied, the SARIF points at the lines', async () => {
    const db = await database();
    await pgc.psql(
      'CREATE SCHEMA app; CREATE TABLE app.visits (id int); CREATE VIEW v_patients AS SELECT id FROM patients;',
      db.name,
    );
    const run = await migrate(
      { 'database-url': db.url, 'sarif-file': 'db.sarif' },
      dbmate({
        '20260307000000_drop_app.sql': 'CREATE TABLE audit (id int);\nDROP SCHEMA app CASCADE;',
        '20260307000001_drop_view.sql': 'DROP VIEW v_patients;',
      }),
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['migrations-applied']).toBe('[]');
    expect(
      await pgc.psql("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'app'", db.name),
    ).toBe('1');
    expect(await tableExists(db.name, 'visits')).toBe(true);
    expect(await tableExists(db.name, 'audit')).toBe(false);
    expect(
      await pgc.psql(
        "SELECT count(*) FROM information_schema.views WHERE table_name = 'v_patients'",
        db.name,
      ),
    ).toBe('1');
    expect(errors(run).map((e) => e.title)).toContain('db-migrate.no-drop-objects (high)');
    expect(run.summary).toContain(
      '2 migrations blocked by the lint (db-migrate.no-drop-objects): 20260307000000, 20260307000001. Nothing was migrated.',
    );
    expect(run.summary).not.toContain('No migration was pending');
    const log = JSON.parse(readFileSync(join(run.workspace, 'db.sarif'), 'utf8')) as Log;
    const located = (log.runs[0]?.results ?? []).map((r) => [
      r.ruleId,
      r.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
      r.locations?.[0]?.physicalLocation?.region?.startLine,
    ]);
    expect(located).toEqual([
      ['db-migrate.no-drop-objects', 'db/migrations/20260307000000_drop_app.sql', 3],
      ['db-migrate.no-drop-objects', 'db/migrations/20260307000001_drop_view.sql', 2],
    ]);
  });

  it('blocks a migration PostgreSQL cannot parse as critical, and runs none of it', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url, 'fail-on': 'critical' },
      dbmate({ '20260308000000_typo.sql': 'CREATE TABLE audit (id int);\nDROP TABEL patients;' }),
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['migrations-applied']).toBe('[]');
    expect(await tableExists(db.name, 'audit')).toBe(false);
    const blocking = errors(run).find((e) => e.title === 'db-migrate.sql-parsed (critical)');
    expect(blocking?.message).toMatch(
      /syntax error at or near \\?"TABEL\\?".*db\/migrations\/20260308000000_typo\.sql\\?" line 3/,
    );
    expect(run.summary).toContain('1 migration blocked by the lint (db-migrate.sql-parsed)');
  });

  it('blocks DELETE without WHERE: every patient is still there', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url },
      dbmate({ '20260309000000_purge.sql': 'DELETE FROM patients;' }),
    );
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((e) => e.title)).toContain('db-migrate.no-unbounded-dml (high)');
    expect(await pgc.psql('SELECT count(*) FROM patients', db.name)).toBe('200');
    expect(run.outputs['migrations-applied']).toBe('[]');
  });

  it('refuses a database with a failed Prisma migration before backing up or migrating', async () => {
    const db = await database();
    await pgc.psql(
      `CREATE TABLE _prisma_migrations (id text PRIMARY KEY, checksum text NOT NULL, finished_at timestamptz, migration_name text NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
       INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('1','c','20260201_consent');`,
      db.name,
    );
    const run = await migrate(
      { 'database-url': db.url, migrate: 'command', 'migrate-command': 'node -e "process.exit(3)"' },
      {
        'prisma/schema.prisma': 'datasource db { provider = "postgresql" url = env("DATABASE_URL") }',
        'prisma/migrations/20260201_consent/migration.sql': 'CREATE TABLE x (id int);',
      },
    );
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((e) => e.message)).toEqual([
      expect.stringMatching(
        /failed migrations: 20260201_consent \(_prisma_migrations\).*prisma migrate resolve/,
      ),
    ]);
    expect(run.outputs['backup-id']).toBeUndefined();
  });

  it('a migration that fails half way fails the step and still outputs the backup for the rollback', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url },
      dbmate({
        '20260303000000_ok.sql': 'CREATE TABLE audit_log (id int);',
        '20260303000001_bad.sql': 'ALTER TABLE no_such_table ADD COLUMN x int;',
      }),
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['backup-location']).toMatch(/^path:/);
    expect(errors(run).at(-1)?.message).toMatch(
      /dbmate exited with \d+: .*no_such_table.*The verified backup .* is what the rollback restores/,
    );
  });

  it('a migration without a transaction that commits half: the failed file, what it changed, and migrations-applied', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url },
      {
        ...dbmate({ '20260307000000_audit.sql': 'CREATE TABLE audit_log (id int);' }),
        'db/migrations/20260307000001_half.sql':
          '-- migrate:up transaction:false\nCREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1), (2);\nALTER TABLE patients ADD COLUMN nickname text;\nCOMMIT;\nALTER TABLE no_such_table ADD COLUMN x int;\n-- migrate:down\nSELECT 1;\n',
      },
    );
    expect(run.exitCode).toBe(1);
    expect(await tableExists(db.name, 'half_done')).toBe(true);
    const message = errors(run).at(-1)?.message ?? '';
    expect(message).toContain('Applied by this run before the failure: 20260307000000.');
    expect(message).toContain('Failed: 20260307000001 (db/migrations/20260307000001_half.sql)');
    expect(message).toMatch(
      /differs from the pre-deploy backup: table public\.audit_log added \(0 rows\); table public\.half_done added \(2 rows\); public\.patients: column nickname added\./,
    );
    expect(message).toMatch(/no_such_table.*The verified backup .* is what the rollback restores/);
    // The half-done migration is listed: the rollback must restore.
    expect(JSON.parse(run.outputs['migrations-applied'] ?? 'null')).toEqual([
      '20260307000000',
      '20260307000001',
    ]);
    expect(run.outputs['migration-failed']).toBe('20260307000001');
    // The job summary says it too: what ran, what failed, what it changed, what the rollback restores.
    expect(run.summary).toContain('**The migrations failed**: ');
    expect(run.summary).toContain('- Applied by this run before the failure: 20260307000000\n');
    expect(run.summary).toContain(
      '- Failed: 20260307000001 (db/migrations/20260307000001\\_half.sql): not recorded as applied, but without a transaction it may have committed part of itself',
    );
    expect(run.summary).toMatch(
      /- The database now differs from the pre-deploy backup: .*public\\?\.half\\?_done added \(2 rows\)/,
    );
    expect(run.summary).toContain('- `migrations-applied`: \\["20260307000000","20260307000001"\\]');
    expect(run.summary).toContain(
      `The verified backup \`${run.outputs['backup-id']}\` is what the rollback restores.`,
    );
  });

  it("a re-run after a half-applied release keeps the first attempt's backup as the pre-deploy one and finishes", async () => {
    const db = await database();
    const backups = mkdtempSync(join(tmpdir(), 'dg-backups-'));
    const files = dbmate({
      '20260304000000_ok.sql': 'CREATE TABLE audit_log (id int);',
      '20260304000001_late.sql': 'ALTER TABLE late_table ADD COLUMN x int;',
    });
    const runId = `5150${n}`;
    const first = await migrate({ 'database-url': db.url }, files, { runId, attempt: 1, backups });
    expect(first.exitCode).toBe(1);
    expect(await tableExists(db.name, 'audit_log')).toBe(true);

    // What failed was passing (a lock, a missing grant); "Re-run failed jobs".
    await pgc.psql('CREATE TABLE late_table (id int);', db.name);
    const second = await migrate({ 'database-url': db.url }, files, { runId, attempt: 2, backups });
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.outputs['backup-id']).toBe(first.outputs['backup-id']);
    expect(second.outputs['backup-location']).toBe(first.outputs['backup-location']);
    expect(JSON.parse(second.outputs['migrations-applied'] ?? '[]')).toEqual([
      '20260304000000',
      '20260304000001',
    ]);
    expect(second.stdout).toContain('stays the pre-deploy backup');
    expect(second.summary).toContain('Re-run: this is the backup attempt 1 took');
    // The kept backup is the pre-deploy database: no audit_log in it.
    const fetched = await fetchBackup(
      new PathStore('/'),
      second.outputs['backup-location'] ?? '',
      mkdtempSync(join(tmpdir(), 'dg-f-')),
      { kind: 'passphrase', passphrase: KEY },
    );
    expect(Object.keys(fetched.manifest.rowCounts)).not.toContain('public.audit_log');
    await fetched.cleanup();

    // A third attempt after a rollback restored the database takes a fresh backup again.
    await pgc.psql(
      'DROP TABLE audit_log; ALTER TABLE late_table DROP COLUMN x; DELETE FROM schema_migrations;',
      db.name,
    );
    const third = await migrate({ 'database-url': db.url }, files, { runId, attempt: 3, backups });
    expect(third.exitCode, third.stdout).toBe(0);
    expect(third.outputs['backup-id']).not.toBe(first.outputs['backup-id']);
  });

  it("backup-storage artifact: the backup goes to the run's artifacts, and another job of the run reads it back intact", async () => {
    const service = await startArtifactService();
    try {
      const db = await database();
      const runId = 60_000 + n;
      const run = await runBundle({
        action: ACTION,
        workspace: workspace(dbmate({ '20260305000000_notes.sql': 'CREATE TABLE notes (id int);' })),
        inputs: {
          'database-url': db.url,
          'backup-storage': 'artifact',
          'retention-days': '7',
          'encryption-key': KEY,
        },
        env: {
          ...service.env(runId, 'db'),
          GITHUB_REPOSITORY: service.repository,
          GITHUB_API_URL: service.url,
        },
        runId: String(runId),
        stepId: 'db',
        timeoutMs: 120_000,
      });
      runs.push(run);
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs['backup-location']).toMatch(new RegExp(`^artifact:${runId}/`));
      expect(await tableExists(db.name, 'notes')).toBe(true);

      process.env.GITHUB_API_URL = service.url;
      const { ArtifactStore } = await import('../../src/backup/artifact-store.js');
      const rollbackJob = new ArtifactStore({
        env: { ...service.env(runId, 'rollback'), GITHUB_REPOSITORY: service.repository },
      });
      const fetched = await fetchBackup(
        rollbackJob,
        run.outputs['backup-location'] ?? '',
        mkdtempSync(join(tmpdir(), 'dg-f-')),
        {
          kind: 'passphrase',
          passphrase: KEY,
        },
      );
      expect(fetched.manifest).toMatchObject({
        id: run.outputs['backup-id'],
        rowCounts: { 'public.patients': 200 },
      });
      await fetched.cleanup();
    } finally {
      await service.close();
    }
  });

  it('dry-run backs up, verifies and lists what would run, and changes nothing', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url, 'dry-run': 'true' },
      dbmate({ '20260304000000_x.sql': 'CREATE TABLE later (id int);' }),
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['migrations-pending']).toBe('["20260304000000"]');
    expect(run.outputs['migrations-applied']).toBe('[]');
    expect(await tableExists(db.name, 'later')).toBe(false);
    expect(existsSync(run.outputs['backup-manifest'] ?? '')).toBe(true);
    expect(run.summary).toContain('Dry run: 1 migration(s) would run');
  });

  it('migrate none with encryption none spelled out only backs up (the examples workflow does this)', async () => {
    const db = await database();
    const run = await migrate(
      { 'database-url': db.url, migrate: 'none', encryption: 'none', 'encryption-key': '' },
      {},
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const manifest = JSON.parse(readFileSync(run.outputs['backup-manifest'] ?? '', 'utf8'));
    expect(manifest).toMatchObject({ encryption: { kind: 'none' }, rowCounts: { 'public.patients': 200 } });
    expect(run.outputs['migrations-applied']).toBe('[]');
  });

  it('a dump that lists nothing of a database holding tables fails the step, and no migration runs', async () => {
    const db = await database();
    // A pg_dump that dumps some other, empty database (outside the exported snapshot, which belongs to the
    // real one): the archive is well formed and lists nothing.
    await pgc.createDatabase(`${db.name}_empty`);
    const bin = mkdtempSync(join(tmpdir(), 'dg-pgbin-'));
    writeFileSync(
      join(bin, 'pg_dump'),
      [
        '#!/bin/bash',
        `[ "$1" = --version ] || export PGDATABASE=${db.name}_empty`,
        'args=(); for a in "$@"; do [[ $a == --snapshot=* ]] || args+=("$a"); done',
        `exec ${join(pgc.binDir, 'pg_dump')} "\${args[@]}"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const run = await migrate(
      { 'database-url': db.url },
      dbmate({ '20260305000000_x.sql': 'CREATE TABLE never (id int);' }),
      undefined,
      { PG_BIN: bin },
    );
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((e) => e.message)).toEqual([
      expect.stringMatching(/found nothing in the dump of a database holding \d+ objects/),
    ]);
    expect(run.outputs['backup-id']).toBeUndefined();
    expect(await tableExists(db.name, 'never')).toBe(false);
  });

  it('PostgreSQL going away during the dump fails the step, and no migration runs', async () => {
    const db = await database();
    await pgc.psql(
      "INSERT INTO patients (name, cpf) SELECT repeat('x', 200), 'c' FROM generate_series(1, 400000);",
      db.name,
    );
    const pending = migrate(
      { 'database-url': db.url, compression: '9', jobs: '1' },
      dbmate({ '20260305000000_x.sql': 'CREATE TABLE never (id int);' }),
    );
    // Kill the server as soon as pg_dump is connected and copying.
    for (let i = 0; i < 400; i++) {
      const dumping = await pgc
        .psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_dump'")
        .catch(() => '0');
      if (dumping !== '0') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await pgc.kill();
    const run = await pending;
    await pgc.restart();
    expect(run.exitCode).toBe(1);
    expect(run.outputs['backup-id']).toBeUndefined();
    expect(await tableExists(db.name, 'never')).toBe(false);
    // The partial dump is plain patient data: nothing of it stays on the runner.
    const left = readdirSync(join(run.runnerTemp, 'deploy-gates'), { recursive: true }).map(String);
    expect(left.filter((f) => f.startsWith('backup-') || /\.(dat|toc)(\.gz)?$/.test(f))).toEqual([]);
  });

  it("PostgreSQL ending pg_dump's session mid-copy (pg_terminate_backend) fails the step; no plain dump is left in RUNNER_TEMP", async () => {
    const db = await database();
    await pgc.psql(
      "INSERT INTO patients (name, cpf) SELECT md5(g::text) || repeat('x', 150), 'c' FROM generate_series(1, 300000) g;",
      db.name,
    );
    const pending = migrate(
      { 'database-url': db.url, jobs: '2' },
      dbmate({ '20260306000000_x.sql': 'CREATE TABLE never (id int);' }),
    );
    // Found and ended in one statement, while a pg_dump worker copies the table: the dump folder holds
    // part of the patients' rows in plain text at that moment.
    await untilRow(
      pgc.url(db.name),
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pg_dump' AND query LIKE 'COPY public.patients %'",
      pending,
    );
    const run = await pending;
    expect(run.exitCode).toBe(1);
    expect(errors(run).map((a) => a.message)).toEqual([expect.stringMatching(/pg_dump .*terminat/s)]);
    expect(run.outputs['backup-id']).toBeUndefined();
    expect(await tableExists(db.name, 'never')).toBe(false);
    // Nothing of the backup at all: its work folder (the plain dump) is gone, as is the pgpass file.
    const left = readdirSync(run.runnerTemp, { recursive: true }).map(String);
    expect(left.filter((f) => !/^_(github_workflow|runner_file_commands)(\/|$)/.test(f))).toEqual([
      'deploy-gates',
    ]);
  });
});

describe('db-migrate-backup bad input: one clear error, nothing backed up or migrated', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['database-url', { 'database-url': '' }, /^Input "database-url": is required but empty/],
    [
      'database-url',
      { 'database-url': 'mysql://u:p@h/db' },
      /^Input "database-url": has the scheme "mysql:"/,
    ],
    [
      'encryption-key',
      { 'encryption-key': '' },
      /^Input "encryption-key": is empty and no backup-recipients are given/,
    ],
    [
      'backup-recipients',
      { 'backup-recipients': 'ssh-rsa AAAA' },
      /^Input "backup-recipients": "ssh-rsa AAAA…" is not an age public key/,
    ],
    ['backup-path', { 'backup-path': '' }, /^Input "backup-path": is empty while backup-storage is path/],
    ['migrate', { migrate: 'flyway' }, /^Input "migrate": /],
    [
      'migrate-command',
      { migrate: 'command', 'migrate-command': 'npx "prisma migrate' },
      /^Input "migrate-command": a double quote at column 5 is never closed/,
    ],
    [
      'migrate-command',
      { migrate: 'dbmate', 'migrate-command': 'npx prisma migrate deploy' },
      /^Input "migrate-command": is set but migrate is dbmate, which never runs it\. Set migrate: command/,
    ],
    [
      'migrate-command',
      { migrate: 'command', 'migrate-command': 'no-such-program-xyz up' },
      /^Input "migrate-command": runs "no-such-program-xyz", which is not an executable on PATH/,
    ],
    [
      'encryption-key',
      { 'encryption-key': 'pass\nphrase' },
      /^Input "encryption-key": contains a line break or control character\. Store the passphrase itself/,
    ],
    [
      'backup-path',
      { 'backup-path': '/proc/deploy-gates-backups' },
      /^Input "backup-path": "\/proc\/deploy-gates-backups" is in a folder (where no file can be created|this job cannot write)/,
    ],
    ['jobs', { jobs: '0' }, /^Input "jobs": 0 is out of range/],
    ['verify', { verify: 'maybe' }, /^Input "verify": /],
  ];
  for (const [input, values, message] of cases) {
    it(`${input}: ${JSON.stringify(values)}`, async () => {
      const db = await database();
      const run = await migrate(
        { 'database-url': db.url, ...values },
        dbmate({ '20260306000000_x.sql': 'CREATE TABLE nope (id int);' }),
      );
      expect(run.exitCode).toBe(1);
      expect(errors(run).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
      expect(run.outputs['backup-id']).toBeUndefined();
      expect(await tableExists(db.name, 'nope')).toBe(false);
      expect(run.stdout).not.toMatch(/ at .+\.js:\d+/);
    });
  }
});
