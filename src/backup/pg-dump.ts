import { performance } from 'node:perf_hooks';
import { runTool } from '../db/run-tool.js';
import type { PgTool } from '../db/tools.js';

/** pg_dump in directory format: parallel jobs and per-file compression, restorable in parallel too. */
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

/**
 * Restores the archive into the database `env` points at, replacing what is there: the schemas the archive
 * holds are dropped and rebuilt, so tables a migration added go too. The caller took a safety backup first.
 */
export async function restoreArchive(
  pgRestore: PgTool,
  env: Record<string, string>,
  dir: string,
  opts: { jobs: number; schemas: string[]; dropFirst: (schemas: string[]) => Promise<void> },
): Promise<{ durationMs: number }> {
  const started = performance.now();
  await opts.dropFirst(opts.schemas);
  await runTool(
    pgRestore.path,
    [
      `--jobs=${opts.jobs}`,
      '--no-owner',
      '--no-password',
      '--exit-on-error',
      `--dbname=${env.PGDATABASE}`,
      dir,
    ],
    env,
  );
  return { durationMs: Math.round(performance.now() - started) };
}

/** The schemas an archive creates (`N; 2615 OID SCHEMA - name owner`), public always included. */
export function schemasOf(toc: string[]): string[] {
  const schemas = new Set<string>(['public']);
  for (const line of toc) {
    const m = /^\d+; \d+ \d+ SCHEMA - (\S+) /.exec(line);
    if (m?.[1]) schemas.add(m[1]);
  }
  return [...schemas];
}
