import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { describeWrites, writtenSinceBackup } from '../../src/rollback/written-since.js';

let cluster: PgCluster;
let client: pg.Client;
const BACKUP_AT = new Date('2026-03-10T05:00:00Z');

async function counts(): Promise<Record<string, number>> {
  const { rows } = await client.query<{ t: string }>(
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const { t } of rows) {
    const [s, n] = t.split('.');
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${s}"."${n}"`);
    out[t] = Number(r.rows[0]?.n);
  }
  return out;
}

beforeAll(async () => {
  cluster = await startPostgres();
  await cluster.createDatabase('clinic');
  client = new pg.Client({ connectionString: cluster.url('clinic') });
  await client.connect();
  await client.query(`
    CREATE TABLE patients (id int PRIMARY KEY, name text, updated_at timestamptz, created_at timestamptz);
    CREATE TABLE visits (id int PRIMARY KEY, created_at timestamp);
    CREATE TABLE codes (code text PRIMARY KEY);
    CREATE SCHEMA audit;
    CREATE TABLE audit."Events" ("updatedAt" timestamptz, inserted date);
    INSERT INTO patients VALUES
      (1, 'a', '2026-03-09T10:00:00Z', '2026-03-01T00:00:00Z'),
      (2, 'b', '2026-03-10T05:30:00Z', '2026-03-01T00:00:00Z'),  -- updated after the backup
      (3, 'c', '2026-03-10T06:00:00Z', '2026-03-10T06:00:00Z');  -- inserted after the backup
    INSERT INTO visits VALUES (1, '2026-03-09T00:00:00'), (2, '2026-03-11T00:00:00');
    INSERT INTO codes VALUES ('x'), ('y');
    INSERT INTO audit."Events" VALUES ('2026-03-11T00:00:00Z', '2026-03-11');
  `);
});
afterAll(async () => {
  await client?.end();
  await cluster?.stop();
});

describe('writtenSinceBackup', () => {
  it('compares counts with the manifest and counts rows newer than the backup', async () => {
    const report = await writtenSinceBackup(client, {
      backupTakenAt: BACKUP_AT,
      countsInBackup: { 'public.patients': 2, 'public.visits': 2, 'public.codes': 1 },
      countsNow: await counts(),
      timestampColumns: ['updated_at', 'created_at', 'inserted'],
    });
    expect(report.tables).toEqual([
      // A table the backup does not have: everything in it is new.
      {
        table: 'audit.Events',
        rowsInBackup: undefined,
        rowsNow: 1,
        newerRows: 1,
        columns: ['inserted'],
        written: 1,
      },
      // No timestamp column: only the count says something was written.
      { table: 'public.codes', rowsInBackup: 1, rowsNow: 2, newerRows: undefined, columns: [], written: 1 },
      // One insert and one update: the count rose by 1, but 2 rows are newer.
      {
        table: 'public.patients',
        rowsInBackup: 2,
        rowsNow: 3,
        newerRows: 2,
        columns: ['updated_at', 'created_at'],
        written: 2,
      },
      // Same count, but a row newer than the backup (a row was replaced).
      {
        table: 'public.visits',
        rowsInBackup: 2,
        rowsNow: 2,
        newerRows: 1,
        columns: ['created_at'],
        written: 1,
      },
    ]);
    expect(report.total).toBe(5);
    expect(describeWrites(report)).toBe(
      'audit.Events: 1 row (table not in the backup, 1 rows, 1 newer than the backup by inserted), ' +
        'public.codes: 1 row (1 → 2), ' +
        'public.patients: 2 rows (2 → 3, 2 newer than the backup by updated_at/created_at), ' +
        'public.visits: 1 row (1 newer than the backup by created_at)',
    );
  });

  it('reports nothing when the database matches the backup', async () => {
    const now = await counts();
    const report = await writtenSinceBackup(client, {
      backupTakenAt: new Date('2026-04-01T00:00:00Z'),
      countsInBackup: now,
      countsNow: now,
      timestampColumns: ['updated_at', 'created_at'],
    });
    expect(report.total).toBe(0);
    expect(describeWrites(report)).toBe('');
  });

  it('does not count deleted rows as written', async () => {
    const report = await writtenSinceBackup(client, {
      backupTakenAt: new Date('2026-04-01T00:00:00Z'),
      countsInBackup: { 'public.codes': 10 },
      countsNow: { 'public.codes': 2 },
      timestampColumns: [],
    });
    expect(report.tables[0]?.written).toBe(0);
  });
});
