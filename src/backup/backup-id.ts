import type { DbTarget } from '../db/connection.js';

/**
 * The id of a backup a run takes: the database and the server it is on, then the run and attempt. The
 * server is in it because one run may back up two databases of the same name (a matrix calling the
 * playbook for two projects, each with its own server), and a run's artifact names must differ. Only
 * characters every store accepts.
 */
export function runBackupId(
  target: Pick<DbTarget, 'database' | 'host' | 'port'>,
  run: { runId: string; runAttempt: number },
  kind?: 'safety',
): string {
  return [target.database, target.host, target.port, ...(kind ? [kind] : []), run.runId, run.runAttempt]
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '-');
}
