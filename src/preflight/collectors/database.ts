import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export type MigrationTool = 'prisma' | 'dbmate' | 'node-pg-migrate';

export interface MigrationFacts {
  tool: MigrationTool;
  table: string;
  applied: string[];
  /** Started and never finished nor rolled back (Prisma's P3009 state). */
  failed: string[];
  /** In the repository's migrations folder, not in the table. */
  pending: string[];
}

export interface DatabaseFacts {
  reachable: boolean;
  serverVersion: string | null;
  latencyMs: number | null;
  error?: string;
  migrations: MigrationFacts[];
}

const TABLES: { tool: MigrationTool; table: string; applied: string; failed?: string; folder: string[] }[] = [
  {
    tool: 'prisma',
    table: '_prisma_migrations',
    applied:
      'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
    failed:
      'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY migration_name',
    folder: ['prisma', 'migrations'],
  },
  {
    tool: 'dbmate',
    table: 'schema_migrations',
    applied: 'SELECT version AS name FROM schema_migrations ORDER BY version',
    folder: ['db', 'migrations'],
  },
  {
    tool: 'node-pg-migrate',
    table: 'pgmigrations',
    applied: 'SELECT name FROM pgmigrations ORDER BY run_on, name',
    folder: ['migrations'],
  },
];

/** Migration names the repository holds, in the form each tool records them. */
function repoMigrations(tool: MigrationTool, dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true });
  if (tool === 'prisma') return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const files = entries.filter((e) => e.isFile() && /\.(sql|js|cjs|mjs|ts)$/.test(e.name)).map((e) => e.name);
  if (tool === 'dbmate') return files.map((f) => f.split('_')[0] ?? f);
  return files.map((f) => f.replace(/\.[^.]+$/, ''));
}

async function names(client: pg.Client, sql: string): Promise<string[]> {
  return (await client.query<{ name: string }>(sql)).rows.map((r) => String(r.name));
}

/**
 * Reachability, version and latency of the database, and the state of every migration table it has.
 * Connection errors become facts; pg's messages never carry the password.
 */
export async function collectDatabase(
  url: string,
  workspace: string,
  timeoutMs: number,
): Promise<DatabaseFacts> {
  const client = new pg.Client({
    connectionString: url,
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
    const present = new Set(
      (
        await client.query<{ name: string }>(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
        )
      ).rows.map((r) => r.name),
    );
    const migrations: MigrationFacts[] = [];
    for (const t of TABLES.filter((t) => present.has(t.table))) {
      const applied = await names(client, t.applied);
      const failed = t.failed ? await names(client, t.failed) : [];
      const known = new Set([...applied, ...failed]);
      const pending = repoMigrations(t.tool, join(workspace, ...t.folder)).filter((m) => !known.has(m));
      migrations.push({ tool: t.tool, table: t.table, applied, failed, pending });
    }
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
