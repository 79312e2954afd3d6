import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

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

interface TableSpec {
  tool: MigrationTool;
  table: string;
  applied: string;
  failed?: string;
  folder: string[];
}

export const MIGRATION_TABLES: readonly TableSpec[] = [
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

/** Migration names the repository holds, in the form each tool records them, with their files. */
export function repoMigrations(tool: MigrationTool, dir: string): { name: string; file: string }[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  if (tool === 'prisma') {
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => ({ name: e.name, file: join(dir, e.name, 'migration.sql') }));
  }
  const files = entries.filter((e) => e.isFile() && /\.(sql|js|cjs|mjs|ts)$/.test(e.name));
  if (tool === 'dbmate')
    return files.map((f) => ({ name: f.name.split('_')[0] ?? f.name, file: join(dir, f.name) }));
  return files.map((f) => ({ name: f.name.replace(/\.[^.]+$/, ''), file: join(dir, f.name) }));
}

async function names(client: pg.Client, sql: string): Promise<string[]> {
  return (await client.query<{ name: string }>(sql)).rows.map((r) => String(r.name));
}

/** The state of every known migration table the database has, against the repository's folders under `root`. */
export async function migrationState(client: pg.Client, root: string): Promise<MigrationFacts[]> {
  const present = new Set(
    (
      await client.query<{ name: string }>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
      )
    ).rows.map((r) => r.name),
  );
  const out: MigrationFacts[] = [];
  for (const t of MIGRATION_TABLES.filter((t) => present.has(t.table))) {
    const applied = await names(client, t.applied);
    const failed = t.failed ? await names(client, t.failed) : [];
    const known = new Set([...applied, ...failed]);
    const pending = repoMigrations(t.tool, join(root, ...t.folder))
      .map((m) => m.name)
      .filter((m) => !known.has(m));
    out.push({ tool: t.tool, table: t.table, applied, failed, pending });
  }
  return out;
}
