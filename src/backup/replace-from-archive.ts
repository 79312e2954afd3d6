import { performance } from 'node:perf_hooks';
import { startTool, ToolError } from '../db/run-tool.js';
import type { PgTool } from '../db/tools.js';
import { childEnvironment } from '../util/child-env.js';
import { RESTORE_ARGS } from './pg-dump.js';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Replaces the content of the database `env` points at with the archive's, in ONE transaction: `schemas`
 * (the archive's, and those made since) are dropped (tables a migration added go with them) and rebuilt from pg_restore's
 * script, fed to psql between BEGIN and COMMIT. A restore that fails (pg_restore or psql exits non-zero,
 * the server goes away, the runner is killed) never reaches COMMIT, so PostgreSQL rolls all of it back
 * and the database is as it was. The price: one session instead of pg_restore --jobs, and the tables are
 * locked for the app until the COMMIT (the app waits instead of seeing half a database).
 */
export async function replaceFromArchive(
  pgRestore: PgTool,
  psql: PgTool,
  env: Record<string, string>,
  dir: string,
  schemas: string[],
  /** Counts the bytes of SQL sent to psql as they go, for progress lines. */
  sent: { bytes: number } = { bytes: 0 },
): Promise<{ durationMs: number }> {
  const started = performance.now();
  const full = childEnvironment(process.env, env);
  const sql = startTool(
    psql.path,
    ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1', `--dbname=${env.PGDATABASE}`],
    { env: full, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const script = startTool(pgRestore.path, [...RESTORE_ARGS, '--file=-', dir], {
    env: full,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors = { psql: [] as Buffer[], pg_restore: [] as Buffer[] };
  sql.stderr.on('data', (c: Buffer) => errors.psql.push(c));
  script.stderr.on('data', (c: Buffer) => errors.pg_restore.push(c));
  // psql gone (an SQL error): pg_restore's writes fail; it is stopped, and its EPIPE is not the cause.
  sql.stdin.on('error', () => {});
  const exited = (child: typeof sql | typeof script) =>
    new Promise<number | null>((resolve) => {
      child.on('error', () => resolve(-1));
      child.on('close', (code) => resolve(code));
    });
  const psqlDone = exited(sql);
  const restoreDone = exited(script);

  sql.stdin.write('BEGIN;\n');
  for (const s of schemas) sql.stdin.write(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE;\n`);
  // The archive recreates every schema but public, which every database has and dumps leave out.
  sql.stdin.write('CREATE SCHEMA IF NOT EXISTS public;\n');
  script.stdout.on('data', (c: Buffer) => {
    sent.bytes += c.length;
  });
  script.stdout.pipe(sql.stdin, { end: false });
  void psqlDone.then(() => script.kill());
  const restoreCode = await restoreDone;
  // COMMIT only after the whole script went through; otherwise psql ends mid-transaction: rolled back.
  sql.stdin.end(restoreCode === 0 ? 'COMMIT;\n' : undefined);
  const psqlCode = await psqlDone;
  const text = (b: Buffer[]) => Buffer.concat(b).toString();
  if (psqlCode !== 0) throw new ToolError('psql', psqlCode, text(errors.psql) || text(errors.pg_restore));
  if (restoreCode !== 0) throw new ToolError('pg_restore', restoreCode, text(errors.pg_restore));
  return { durationMs: Math.round(performance.now() - started) };
}
