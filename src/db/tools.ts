import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from './run-tool.js';

export interface PgTool {
  path: string;
  major: number;
}

async function majorOf(path: string): Promise<number | undefined> {
  try {
    const stdout = await runTool(path, ['--version'], {});
    const m = /(\d+)(?:\.\d+)?/.exec(stdout.replace(/^[^0-9]*/, ''));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Directories that may hold PostgreSQL client tools, newest major first. */
function candidates(): string[] {
  const dirs: string[] = [];
  if (process.env.PG_BIN) dirs.push(process.env.PG_BIN);
  const lib = '/usr/lib/postgresql';
  if (existsSync(lib)) {
    for (const v of readdirSync(lib)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a)))
      dirs.push(join(lib, v, 'bin'));
  }
  dirs.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  return dirs;
}

/**
 * The newest installed `name` (pg_dump, pg_restore, psql) whose major is at least the server's: pg_dump
 * refuses to dump a newer server, and an older pg_restore cannot read a newer archive.
 */
export async function findPgTool(name: string, serverMajor: number): Promise<PgTool> {
  let newest: PgTool | undefined;
  for (const dir of candidates()) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const major = await majorOf(path);
    if (major === undefined) continue;
    if (!newest || major > newest.major) newest = { path, major };
  }
  if (!newest) {
    throw new Error(
      `${name} is not installed. Install the PostgreSQL client ${serverMajor} or newer (apt-get install postgresql-client-${serverMajor}; on GitHub's Ubuntu runners see https://wiki.postgresql.org/wiki/Apt), or set PG_BIN to its bin directory.`,
    );
  }
  if (newest.major < serverMajor) {
    throw new Error(
      `${name} ${newest.major} (${newest.path}) is older than the server (${serverMajor}) and cannot back it up or restore into it safely. Install postgresql-client-${serverMajor} (https://wiki.postgresql.org/wiki/Apt) or set PG_BIN to its bin directory.`,
    );
  }
  return newest;
}
