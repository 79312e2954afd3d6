import { performance } from 'node:perf_hooks';
import { JOURNAL_SCHEMA } from '../db/journal.js';
import { runTool } from '../db/run-tool.js';
import type { PgTool } from '../db/tools.js';

/**
 * pg_dump in directory format: parallel jobs and per-file compression, restorable in parallel too. The
 * actions' journals stay out: a restore must not roll them back (see db/journal.ts).
 */
export async function dumpDatabase(
  pgDump: PgTool,
  env: Record<string, string>,
  outDir: string,
  opts: { jobs: number; compression: number; snapshot?: string },
): Promise<{ durationMs: number }> {
  const started = performance.now();
  const args = [
    '--format=directory',
    `--jobs=${opts.jobs}`,
    `--compress=${opts.compression}`,
    '--no-password',
    `--exclude-schema=${JOURNAL_SCHEMA}`,
    `--file=${outDir}`,
  ];
  if (opts.snapshot) args.push(`--snapshot=${opts.snapshot}`);
  await runTool(pgDump.path, args, env);
  return { durationMs: Math.round(performance.now() - started) };
}

/** Entries of the archive's table of contents; pg_restore --list reads all of it or fails. */
export async function listArchive(
  pgRestore: PgTool,
  env: Record<string, string>,
  dir: string,
): Promise<string[]> {
  const out = await runTool(pgRestore.path, ['--list', dir], env);
  return out.split('\n').filter((l) => /^\d+;/.test(l));
}

/** The arguments pg_restore gets for every restore: no owners, the journals never. */
export const RESTORE_ARGS = [
  '--no-owner',
  '--no-password',
  // Backups taken before the journals were left out still hold them; the live journals win.
  `--exclude-schema=${JOURNAL_SCHEMA}`,
];

/**
 * Restores the archive in parallel into the empty database `env` points at (a scratch database for a test
 * restore). Into a live database, use replaceFromArchive: it replaces the content in one transaction.
 */
export async function restoreArchive(
  pgRestore: PgTool,
  env: Record<string, string>,
  dir: string,
  opts: { jobs: number },
): Promise<{ durationMs: number }> {
  const started = performance.now();
  await runTool(
    pgRestore.path,
    [`--jobs=${opts.jobs}`, ...RESTORE_ARGS, '--exit-on-error', `--dbname=${env.PGDATABASE}`, dir],
    env,
  );
  return { durationMs: Math.round(performance.now() - started) };
}

/**
 * The schemas an archive creates (`N; 2615 OID SCHEMA - name owner`), public always included; never the
 * journals' schema, which a restore leaves as it is.
 */
export function schemasOf(toc: string[]): string[] {
  const schemas = new Set<string>(['public']);
  for (const line of toc) {
    const m = /^\d+; \d+ \d+ SCHEMA - (\S+) /.exec(line);
    if (m?.[1] && m[1] !== JOURNAL_SCHEMA) schemas.add(m[1]);
  }
  return [...schemas];
}
