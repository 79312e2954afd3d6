import type pg from 'pg';
import { ensureJournals, MIGRATE_JOURNAL as TABLE, tableExists } from '../db/journal.js';

/** A verified pre-deploy backup, written just before this attempt starts migrating. */
export interface BackupRecord {
  runId: string;
  attempt: number;
  backupId: string;
  location: string;
  /** The migrations the database had when the backup was taken. */
  appliedBefore: string[];
}

export async function recordBackup(client: pg.ClientBase, r: BackupRecord): Promise<void> {
  await ensureJournals(client);
  await client.query(
    `INSERT INTO ${TABLE} (run_id, attempt, backup_id, location, applied_before) VALUES ($1, $2, $3, $4, $5)`,
    [r.runId, r.attempt, r.backupId, r.location, JSON.stringify(r.appliedBefore)],
  );
}

/** The newest backup an earlier attempt of this run recorded before migrating, if any. */
export async function earlierBackup(
  client: pg.ClientBase,
  runId: string,
  attempt: number,
): Promise<BackupRecord | undefined> {
  if (!(await tableExists(client, TABLE))) return undefined;
  const { rows } = await client.query<{
    attempt: number;
    backup_id: string;
    location: string;
    applied_before: unknown;
  }>(
    `SELECT attempt, backup_id, location, applied_before FROM ${TABLE}
      WHERE run_id = $1 AND attempt < $2 ORDER BY attempt DESC, at DESC LIMIT 1`,
    [runId, attempt],
  );
  const r = rows[0];
  if (!r) return undefined;
  const applied = Array.isArray(r.applied_before) ? r.applied_before.map(String) : [];
  return { runId, attempt: r.attempt, backupId: r.backup_id, location: r.location, appliedBefore: applied };
}
