import type pg from 'pg';

/**
 * The one owner of the `deploy_gates` schema: the actions' journals, kept in the database itself because
 * it is the one place every attempt of a run, on any runner, can read.
 *
 * The schema is bookkeeping about the data, never data: backups leave it out (pg_dump
 * --exclude-schema), restores never drop or recreate it, and row counts never count it. So a journal row
 * written after a backup survives restoring that backup, which is what lets a re-run see that a restore
 * already happened instead of restoring again over newer writes.
 */
export const JOURNAL_SCHEMA = 'deploy_gates';

/** The journals' tables, created together so both actions agree on them. */
const DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${JOURNAL_SCHEMA}`,
  // db-migrate-backup: the verified backup an attempt took just before it started migrating.
  `CREATE TABLE IF NOT EXISTS ${JOURNAL_SCHEMA}.migrate_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     location text NOT NULL,
     applied_before jsonb NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  // rollback: restores started and finished, with the safety backup taken before the first attempt.
  `CREATE TABLE IF NOT EXISTS ${JOURNAL_SCHEMA}.rollback_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     state text NOT NULL CHECK (state IN ('restoring', 'restored')),
     safety_backup_id text NOT NULL DEFAULT '',
     rows_written bigint NOT NULL DEFAULT 0,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  `ALTER TABLE ${JOURNAL_SCHEMA}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_location text NOT NULL DEFAULT ''`,
  // What the safety backup holds (taken at, transaction snapshot, row counts): a re-run finds the rows
  // written after it, which only a later safety backup holds.
  `ALTER TABLE ${JOURNAL_SCHEMA}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_snapshot jsonb`,
  // infra-change: each change an attempt started and finished (apply, undo), keyed by what it changes.
  `CREATE TABLE IF NOT EXISTS ${JOURNAL_SCHEMA}.infra_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     mode text NOT NULL,
     change text NOT NULL,
     state text NOT NULL CHECK (state IN ('started', 'done')),
     at timestamptz NOT NULL DEFAULT now()
   )`,
];

export const INFRA_JOURNAL = `${JOURNAL_SCHEMA}.infra_journal`;
export const MIGRATE_JOURNAL = `${JOURNAL_SCHEMA}.migrate_journal`;
export const ROLLBACK_JOURNAL = `${JOURNAL_SCHEMA}.rollback_journal`;

export async function ensureJournals(client: pg.ClientBase): Promise<void> {
  for (const sql of DDL) await client.query(sql);
}

export async function tableExists(client: pg.ClientBase, table: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
  return Boolean(rows[0]?.t);
}

/** schema.table names of the journals (also in manifests of backups taken before they were left out). */
export function isJournalTable(table: string): boolean {
  return table.startsWith(`${JOURNAL_SCHEMA}.`);
}

/** Row counts without the journals. */
export function withoutJournals(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([t]) => !isJournalTable(t)));
}
