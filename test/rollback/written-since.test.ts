import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { describeWrites, writtenSinceBackup, xidWindow } from '../../src/rollback/written-since.js';

let cluster: PgCluster;
let client: pg.Client;
const BACKUP_AT = new Date('2026-03-10T05:00:00Z');
/** The snapshot a backup would have recorded (pg_current_snapshot() of the dump's transaction). */
let snapshot: string;
let countsInBackup: Record<string, number>;

async function tables(): Promise<string[]> {
  const { rows } = await client.query<{ t: string }>(
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  return rows.map((r) => r.t);
}

beforeAll(async () => {
  cluster = await startPostgres();
  await cluster.createDatabase('clinic');
  client = new pg.Client({ connectionString: cluster.url('clinic') });
  await client.connect();
  await client.query(`
    CREATE TABLE patients (id int PRIMARY KEY, name text, updated_at timestamptz);
    CREATE TABLE codes (code text PRIMARY KEY, label text);
    CREATE TABLE untouched (id int);
    CREATE TABLE dropped_by_migration (id int);
    INSERT INTO patients VALUES (1, 'a', '2026-03-09T10:00:00Z'), (2, 'b', '2026-03-09T10:00:00Z');
    INSERT INTO codes SELECT 'c' || g, 'x' FROM generate_series(1, 10) g;
    INSERT INTO untouched SELECT generate_series(1, 5);
    INSERT INTO dropped_by_migration VALUES (1);
  `);
  snapshot = (await client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]?.s ?? '';
  countsInBackup = {
    'public.patients': 2,
    'public.codes': 10,
    'public.untouched': 5,
    'public.dropped_by_migration': 1,
  };
  // After the backup: 3 updates, 1 delete and 1 insert in a table without any timestamp column, a
  // patient updated with a clock that lies (its updated_at is older than the backup), a new table.
  await client.query(`
    UPDATE codes SET label = 'y' WHERE code IN ('c1', 'c2', 'c3');
    DELETE FROM codes WHERE code = 'c4';
    INSERT INTO codes VALUES ('c11', 'z');
    UPDATE patients SET name = 'b2', updated_at = '2026-03-01T00:00:00Z' WHERE id = 2;
    CREATE TABLE consents (id int);
    INSERT INTO consents VALUES (1), (2);
    DROP TABLE dropped_by_migration;
  `);
});
afterAll(async () => {
  await client?.end();
  await cluster?.stop();
});

describe('writtenSinceBackup', () => {
  it('finds inserts, updates and deletes in every table by transaction id, with or without timestamps', async () => {
    const report = await writtenSinceBackup(client, {
      backupTakenAt: BACKUP_AT,
      backupSnapshot: snapshot,
      countsInBackup,
      tables: await tables(),
      timestampColumns: ['updated_at'],
    });
    const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t]));
    // The count is the same (10 → 10), yet 4 rows are new versions and 4 of the backup's rows are gone.
    expect(byTable['public.codes']).toMatchObject({
      rowsInBackup: 10,
      rowsNow: 10,
      changedRows: 4,
      goneRows: 4,
      written: 4,
    });
    expect(byTable['public.patients']).toMatchObject({
      changedRows: 1,
      goneRows: 1,
      newerRows: 0,
      written: 1,
    });
    expect(byTable['public.consents']).toMatchObject({ rowsInBackup: undefined, changedRows: 2, written: 2 });
    expect(byTable['public.untouched']).toMatchObject({ changedRows: 0, goneRows: 0, written: 0 });
    // A table the migration dropped is brought back by the restore: nothing of it is lost.
    expect(byTable['public.dropped_by_migration']).toBeUndefined();
    expect(report.total).toBe(7);
    expect(report.unknown).toBeUndefined();
    expect(describeWrites(report)).toBe(
      'public.codes: 4 rows inserted or updated, 4 rows of the backup updated or deleted; ' +
        'public.consents: table not in the backup, 2 rows, 2 rows inserted or updated; ' +
        'public.patients: 1 row inserted or updated, 1 row of the backup updated or deleted',
    );
  });

  it('a delete alone is a write', async () => {
    const before = (await client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]?.s;
    await client.query(
      'DELETE FROM untouched WHERE id = 5; INSERT INTO untouched VALUES (6); DELETE FROM untouched WHERE id = 6',
    );
    const report = await writtenSinceBackup(client, {
      backupTakenAt: BACKUP_AT,
      backupSnapshot: before,
      countsInBackup: { 'public.untouched': 5 },
      tables: ['public.untouched'],
      timestampColumns: [],
    });
    expect(report.tables[0]).toMatchObject({ rowsNow: 4, changedRows: 0, goneRows: 1, written: 1 });
  });

  it('reports nothing when nothing was written since the snapshot', async () => {
    const now = (await client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]?.s;
    const counts: Record<string, number> = {};
    for (const t of await tables())
      counts[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n);
    const report = await writtenSinceBackup(client, {
      backupTakenAt: BACKUP_AT,
      backupSnapshot: now,
      countsInBackup: counts,
      tables: Object.keys(counts),
      timestampColumns: ['updated_at'],
    });
    expect(report.total).toBe(0);
    expect(describeWrites(report)).toBe('');
  });

  it('cannot tell without a snapshot in the manifest: every table counts as written (fail closed)', async () => {
    const report = await writtenSinceBackup(client, {
      backupTakenAt: BACKUP_AT,
      backupSnapshot: undefined,
      countsInBackup: { 'public.untouched': 4 },
      tables: ['public.untouched'],
      timestampColumns: [],
    });
    expect(report.total).toBe(1);
    expect(report.unknown).toMatch(/no transaction snapshot/);
    expect(describeWrites(report)).toMatch(
      /cannot tell: the backup manifest records no transaction snapshot/,
    );
  });

  it('places xids across the 32-bit wrap, and gives up beyond half the xid space', () => {
    const wrapped = xidWindow('4294967290:4294967300:4294967295', 4_294_967_310n);
    expect(wrapped).toEqual({ base: 4294967290, backupSpan: 10, nowSpan: 20, inProgress: [4294967295] });
    expect(xidWindow('100:110:', 100n + 2n ** 31n)).toMatch(/more than row xids can place/);
    expect(xidWindow('100:110:', 105n)).toMatch(/not the one backed up/);
  });
});
