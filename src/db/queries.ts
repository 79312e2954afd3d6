import pg from 'pg';
import { connectionString, type DbTarget } from './connection.js';
import { JOURNAL_SCHEMA } from './journal.js';

/**
 * A connected client. A connection that fails says which server and database it was for: the bare
 * "connect ECONNREFUSED 127.0.0.1:9" of the driver names neither the database nor what to check.
 */
export async function connectClient(t: DbTarget, timeoutMs = 15_000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: connectionString(t), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    const where = `database "${t.database}" on ${t.host}:${t.port} as ${t.user}`;
    throw new Error(`cannot connect to ${where}: ${(err as Error).message}`, { cause: err });
  }
  return client;
}

export async function withClient<T>(
  t: DbTarget,
  fn: (client: pg.Client) => Promise<T>,
  timeoutMs = 15_000,
): Promise<T> {
  const client = await connectClient(t, timeoutMs);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function serverVersion(client: pg.Client): Promise<{ version: string; major: number }> {
  const { rows } = await client.query<{ v: string; n: string }>(
    "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
  );
  const row = rows[0] ?? { v: '0', n: '0' };
  return { version: row.v, major: Math.floor(Number(row.n) / 10_000) };
}

const USER_TABLES = `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' AND table_schema <> $1
     ORDER BY 1, 2`;

/** Every user table as schema.table, sorted; the actions' journals are not among them. */
export async function userTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ s: string; t: string }>(USER_TABLES, [JOURNAL_SCHEMA]);
  return rows.map(({ s, t }) => `${s}.${t}`);
}

/**
 * Exact rows per user table, as schema.table → count. Exact, not estimated: integrity is judged on them.
 * The actions' journals are not counted: backups leave them out, so both sides of a check count the same.
 */
export async function rowCounts(client: pg.Client, exclude: string[] = []): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ s: string; t: string }>(USER_TABLES, [JOURNAL_SCHEMA]);
  const counts: Record<string, number> = {};
  for (const { s, t } of tables) {
    const key = `${s}.${t}`;
    if (exclude.includes(key)) continue;
    const ident = `${client.escapeIdentifier(s)}.${client.escapeIdentifier(t)}`;
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident}`);
    counts[key] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

export async function databaseSize(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n');
  return Number(rows[0]?.n ?? 0);
}

/** A namespace of the database's own: not the system's, not TOAST or temporary, not the journals' ($1). */
const OWN_NAMESPACE = `nspname NOT IN ('pg_catalog', 'information_schema', $1) AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%'`;

/**
 * Objects of the database's own, in every schema but the system's and the actions' journal: relations,
 * functions, types of their own (enums, domains, ranges), schemas other than `public`, extensions other than
 * the built-in plpgsql. Zero for a database created and never deployed to, whose dump lists nothing.
 */
export async function ownObjects(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `WITH own AS (SELECT oid, nspname FROM pg_namespace WHERE ${OWN_NAMESPACE})
     SELECT (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM own))
          + (SELECT count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM own))
          + (SELECT count(*) FROM pg_type WHERE typnamespace IN (SELECT oid FROM own) AND typtype IN ('e', 'd', 'r', 'm'))
          + (SELECT count(*) FROM own WHERE nspname <> 'public')
          + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql') AS n`,
    [JOURNAL_SCHEMA],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The database's own schemas (not the system's, not the actions' journal), by name. */
export async function ownSchemas(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ s: string }>(
    `SELECT nspname AS s FROM pg_namespace WHERE ${OWN_NAMESPACE} ORDER BY 1`,
    [JOURNAL_SCHEMA],
  );
  return rows.map((r) => r.s);
}
