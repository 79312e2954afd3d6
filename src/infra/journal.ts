import type pg from 'pg';
import { ensureJournals, INFRA_JOURNAL as TABLE, tableExists } from '../db/journal.js';

/**
 * infra-change's journal (table owned by db/journal.ts): each change (an apply of these manifests, an undo
 * of this workload) is written `started` before it runs and `done` after, so a re-run of the same workflow
 * run skips what an earlier attempt finished, and an undo whose end was never written is not run twice
 * (rolling back twice would undo the undo).
 */
export type InfraState = 'started' | 'done';

export interface InfraEntry {
  attempt: number;
  state: InfraState;
}

/** This run's entries for one change, oldest first. */
export async function readInfraJournal(
  client: pg.ClientBase,
  runId: string,
  mode: string,
  change: string,
): Promise<InfraEntry[]> {
  if (!(await tableExists(client, TABLE))) return [];
  const { rows } = await client.query<{ attempt: number; state: InfraState }>(
    `SELECT attempt, state FROM ${TABLE} WHERE run_id = $1 AND mode = $2 AND change = $3 ORDER BY at, attempt`,
    [runId, mode, change],
  );
  return rows.map((r) => ({ attempt: r.attempt, state: r.state }));
}

export async function writeInfraJournal(
  client: pg.ClientBase,
  e: { runId: string; attempt: number; mode: string; change: string; state: InfraState },
): Promise<void> {
  await ensureJournals(client);
  await client.query(
    `INSERT INTO ${TABLE} (run_id, attempt, mode, change, state) VALUES ($1, $2, $3, $4, $5)`,
    [e.runId, e.attempt, e.mode, e.change, e.state],
  );
}
