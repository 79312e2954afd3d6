import type pg from 'pg';
import { JOURNAL_SCHEMA, tableExists } from '../db/journal.js';

/**
 * A journal of restores kept in the database itself, in its own schema that restores leave alone: it says
 * whether this run already restored (or started restoring) the backup, which the data alone cannot say
 * once the app writes again after the rollback. Without it a re-run would see those new rows as "written
 * after the backup" and either refuse or, with allow-data-loss, restore a second time and lose them.
 */
const TABLE = `${JOURNAL_SCHEMA}.rollback_journal`;

export type JournalState = 'restoring' | 'restored';

export interface JournalEntry {
  runId: string;
  attempt: number;
  backupId: string;
  state: JournalState;
  safetyBackupId: string;
  rowsWritten: number;
  at: Date;
}

export async function ensureJournal(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${JOURNAL_SCHEMA}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
       run_id text NOT NULL,
       attempt integer NOT NULL,
       backup_id text NOT NULL,
       state text NOT NULL CHECK (state IN ('restoring', 'restored')),
       safety_backup_id text NOT NULL DEFAULT '',
       rows_written bigint NOT NULL DEFAULT 0,
       at timestamptz NOT NULL DEFAULT now()
     )`,
  );
}

/** This run's entries for the backup, oldest first; [] when there are none (or no journal yet). */
export async function readJournal(
  client: pg.ClientBase,
  runId: string,
  backupId: string,
): Promise<JournalEntry[]> {
  if (!(await tableExists(client, TABLE))) return [];
  const { rows } = await client.query<{
    run_id: string;
    attempt: number;
    backup_id: string;
    state: JournalState;
    safety_backup_id: string;
    rows_written: string;
    at: Date;
  }>(`SELECT * FROM ${TABLE} WHERE run_id = $1 AND backup_id = $2 ORDER BY at, attempt`, [runId, backupId]);
  return rows.map((r) => ({
    runId: r.run_id,
    attempt: r.attempt,
    backupId: r.backup_id,
    state: r.state,
    safetyBackupId: r.safety_backup_id,
    rowsWritten: Number(r.rows_written),
    at: r.at,
  }));
}

export async function writeJournal(client: pg.ClientBase, entry: Omit<JournalEntry, 'at'>): Promise<void> {
  await ensureJournal(client);
  await client.query(
    `INSERT INTO ${TABLE} (run_id, attempt, backup_id, state, safety_backup_id, rows_written) VALUES ($1, $2, $3, $4, $5, $6)`,
    [entry.runId, entry.attempt, entry.backupId, entry.state, entry.safetyBackupId, entry.rowsWritten],
  );
}

/** Row counts without the journal's own table, which is not part of the application's data. */
export function withoutJournal(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([t]) => !t.startsWith(`${JOURNAL_SCHEMA}.`)));
}
