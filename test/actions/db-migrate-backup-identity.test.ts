import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PgCluster } from '../../sandbox/postgres/cluster.js';
import { type ActionRun, leakedSecrets, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';
import { cleanedRuns, usePostgres } from '../support/action-world.js';
import { ageKey } from '../support/age-key.js';

// db-migrate-backup with backup-recipients proves, before it migrates, that the identity the rollback will
// get opens the stored backup: run from the committed bundle against a real PostgreSQL.
const ACTION = 'actions/db-migrate-backup/dist/index.js';
let pgc: PgCluster;
let n = 0;
const runs = cleanedRuns();
usePostgres((started) => {
  pgc = started;
});

async function migrate(inputs: Record<string, string>) {
  const name = `ident_${++n}`;
  await pgc.createDatabase(name);
  await pgc.psql(
    "CREATE TABLE patients (id serial PRIMARY KEY, name text); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,30) g;",
    name,
  );
  const backups = mkdtempSync(join(tmpdir(), 'dg-ident-'));
  const run = await runBundle({
    action: ACTION,
    workspace: workspace({
      'db/migrations/20260301000000_consents.sql':
        '-- migrate:up\nCREATE TABLE consents (id int);\n-- migrate:down\nSELECT 1;\n',
    }),
    inputs: {
      'database-url': `${pgc.url(name)}?sslmode=disable`,
      'backup-storage': 'path',
      'backup-path': backups,
      jobs: '1',
      ...inputs,
    },
    stepId: 'db',
    timeoutMs: 120_000,
  });
  runs.push(run);
  const migrated =
    (await pgc.psql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'consents'", name)) ===
    '1';
  const stored = existsSync(backups) ? readdirSync(backups) : [];
  return { run, migrated, stored };
}

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error').map((a) => a.message);

describe('db-migrate-backup backup-identity', { timeout: 180_000 }, () => {
  it('backup-recipients without backup-identity: an input error, nothing backed up or migrated', async () => {
    const key = await ageKey();
    const { run, migrated, stored } = await migrate({ 'backup-recipients': key.recipient });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(/^Input "backup-identity": is empty while backup-recipients are given/),
    ]);
    expect([migrated, stored]).toEqual([false, []]);
  });

  it('an identity that is not one of backup-recipients: an input error, nothing backed up or migrated', async () => {
    const key = await ageKey();
    const other = await ageKey();
    const { run, migrated, stored } = await migrate({
      'backup-recipients': key.recipient,
      'backup-identity': other.file,
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^Input "backup-identity": is the key of age1\w+, which is not one of backup-recipients/,
      ),
    ]);
    expect([migrated, stored]).toEqual([false, []]);
    expect(leakedSecrets(run, [other.file])).toEqual([]);
  });

  it('an age public key as encryption-key: an input error, nothing backed up or migrated', async () => {
    const key = await ageKey();
    const { run, migrated, stored } = await migrate({ 'encryption-key': key.recipient });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([expect.stringMatching(/^Input "encryption-key": is an age public key/)]);
    expect([migrated, stored]).toEqual([false, []]);
  });

  it("the recipients' identity file: the stored backup is opened with it and listed before the migration, every line masked", async () => {
    const key = await ageKey();
    const { run, migrated } = await migrate({
      'backup-recipients': key.recipient,
      'backup-identity': key.file,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(migrated).toBe(true);
    const proof = run.log.findIndex((l) =>
      /^The rollback's key opens backup .*: pg_restore --list reads its \d+ table-of-contents entries$/.test(
        l,
      ),
    );
    const migrating = run.log.findIndex((l) => l.startsWith('Applying '));
    expect(proof).toBeGreaterThanOrEqual(0);
    expect(proof).toBeLessThan(migrating);
    expect(run.masks).toContain(key.secretLine);
    expect(leakedSecrets(run, [key.file, key.secretLine])).toEqual([]);
  });
});
