import type pg from 'pg';

/**
 * The schema where the actions keep their journals in the database itself: the one place every attempt
 * of a run, on any runner, can read. Restores of backups taken before a journal row was written take that
 * row away with the rest of the post-backup changes, which is what a journal of post-backup work wants.
 */
export const JOURNAL_SCHEMA = 'deploy_gates';

export async function tableExists(client: pg.ClientBase, table: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
  return Boolean(rows[0]?.t);
}
