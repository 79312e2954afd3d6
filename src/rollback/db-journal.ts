import type pg from 'pg';
import { ensureJournals, ROLLBACK_JOURNAL as TABLE, tableExists } from '../db/journal.js';

/**
 * The rollback's journal of restores (table owned by db/journal.ts, which backups and restores leave
 * alone): it says whether a restore of the backup already finished or started, which the data alone cannot
 * say once the app writes again after the rollback (and every restored row looks new by its xmin). Without
 * it a re-run would see those rows as written after the backup and refuse, or restore a second time.
 */

export type JournalState = 'restoring' | 'restored';

export interface JournalEntry {
  runId: string;
  attempt: number;
  backupId: string;
  state: JournalState;
  safetyBackupId: string;
  safetyBackupLocation: string;
  rowsWritten: number;
  at: Date;
}

/**
 * Every run's entries for the backup, oldest first; [] when there are none (or no journal yet). Any run:
 * a restore another run finished (an automatic rollback, then a manual one) is not repeated either.
 */
export async function readJournal(client: pg.ClientBase, backupId: string): Promise<JournalEntry[]> {
  if (!(await tableExists(client, TABLE))) return [];
  const { rows } = await client.query<{
    run_id: string;
    attempt: number;
    backup_id: string;
    state: JournalState;
    safety_backup_id: string;
    safety_backup_location: string;
    rows_written: string;
    at: Date;
  }>(`SELECT * FROM ${TABLE} WHERE backup_id = $1 ORDER BY at, attempt`, [backupId]);
  return rows.map((r) => ({
    runId: r.run_id,
    attempt: r.attempt,
    backupId: r.backup_id,
    state: r.state,
    safetyBackupId: r.safety_backup_id,
    safetyBackupLocation: r.safety_backup_location,
    rowsWritten: Number(r.rows_written),
    at: r.at,
  }));
}

export async function writeJournal(client: pg.ClientBase, entry: Omit<JournalEntry, 'at'>): Promise<void> {
  await ensureJournals(client);
  await client.query(
    `INSERT INTO ${TABLE} (run_id, attempt, backup_id, state, safety_backup_id, safety_backup_location, rows_written)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.runId,
      entry.attempt,
      entry.backupId,
      entry.state,
      entry.safetyBackupId,
      entry.safetyBackupLocation,
      entry.rowsWritten,
    ],
  );
}
