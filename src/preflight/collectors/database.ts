import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { connectionString, type DbTarget } from '../../db/connection.js';
import { type MigrationFacts, migrationState } from '../../db/migration-state.js';

export interface DatabaseFacts {
  reachable: boolean;
  serverVersion: string | null;
  latencyMs: number | null;
  error?: string;
  migrations: MigrationFacts[];
}

/**
 * Reachability, version and latency of the database, and the state of every migration table it has.
 * Connection errors become facts (a URL that is not one never gets here: it is an input error); pg's
 * messages never carry the password.
 */
export async function collectDatabase(
  target: DbTarget,
  workspace: string,
  timeoutMs: number,
): Promise<DatabaseFacts> {
  const client = new pg.Client({
    connectionString: connectionString(target),
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
  });
  client.on('error', () => {});
  try {
    const started = performance.now();
    await client.connect();
    const version =
      (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? null;
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const migrations = await migrationState(client, workspace);
    return { reachable: true, serverVersion: version, latencyMs, migrations };
  } catch (err) {
    return {
      reachable: false,
      serverVersion: null,
      latencyMs: null,
      error: (err as Error).message,
      migrations: [],
    };
  } finally {
    await client.end().catch(() => {});
  }
}
