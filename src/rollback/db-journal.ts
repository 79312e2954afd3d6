import type pg from 'pg';
import { ensureJournals, ROLLBACK_JOURNAL as TABLE, tableExists } from '../db/journal.js';

/**
 * The rollback's journal of restores (table owned by db/journal.ts, which backups and restores leave
 * alone): it says whether a restore of the backup already finished or started, which the data alone cannot
 * say once the app writes again after the rollback (and every restored row looks new by its xmin). Without
 * it a re-run would see those rows as written after the backup and refuse, or restore a second time.
 */

export type JournalState = 'restoring' | 'restored';

/** What a safety backup holds, from its manifest: enough to find the rows written after it. */
export interface SafetySnapshot {
  takenAt: Date;
  /** The dump's transaction snapshot (pg_current_snapshot()). */
  xidSnapshot: string;
  /** schema.table → rows in the safety backup. */
  rowCounts: Record<string, number>;
}

export interface JournalEntry {
  runId: string;
  attempt: number;
  backupId: string;
  state: JournalState;
  safetyBackupId: string;
  safetyBackupLocation: string;
  /** Undefined in entries written before it was recorded. */
  safetySnapshot: SafetySnapshot | undefined;
  rowsWritten: number;
  at: Date;
}

function snapshotOf(raw: unknown): SafetySnapshot | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as { takenAt?: unknown; xidSnapshot?: unknown; rowCounts?: unknown };
  if (typeof r.takenAt !== 'string' || typeof r.xidSnapshot !== 'string') return undefined;
  if (!r.rowCounts || typeof r.rowCounts !== 'object') return undefined;
  const counts = Object.entries(r.rowCounts).filter((e): e is [string, number] => typeof e[1] === 'number');
  return { takenAt: new Date(r.takenAt), xidSnapshot: r.xidSnapshot, rowCounts: Object.fromEntries(counts) };
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
    safety_backup_snapshot: unknown;
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
    safetySnapshot: snapshotOf(r.safety_backup_snapshot),
    rowsWritten: Number(r.rows_written),
    at: r.at,
  }));
}

export async function writeJournal(client: pg.ClientBase, entry: Omit<JournalEntry, 'at'>): Promise<void> {
  await ensureJournals(client);
  await client.query(
    `INSERT INTO ${TABLE} (run_id, attempt, backup_id, state, safety_backup_id, safety_backup_location, safety_backup_snapshot, rows_written)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      entry.runId,
      entry.attempt,
      entry.backupId,
      entry.state,
      entry.safetyBackupId,
      entry.safetyBackupLocation,
      entry.safetySnapshot ? JSON.stringify(entry.safetySnapshot) : null,
      entry.rowsWritten,
    ],
  );
}
