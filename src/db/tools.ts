import { existsSync, readdirSync, realpathSync } from 'node:fs';
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
  // One directory reached twice (/bin is /usr/bin on merged-/usr systems) holds the same programs.
  const seen = new Set<string>();
  return dirs.filter((dir) => {
    let real = dir;
    try {
      real = realpathSync(dir);
    } catch {
      // Missing: nothing in it is found below either.
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/**
 * The newest installed `name` per process and search path: every candidate is started with --version
 * (all at once), and a backup, its verification and a restore would otherwise ask the same programs up
 * to four times over, a process start each.
 */
const newestByName = new Map<string, Promise<PgTool | undefined>>();

function newestTool(name: string): Promise<PgTool | undefined> {
  const dirs = candidates();
  const memo = `${name}\0${dirs.join('\0')}`;
  let found = newestByName.get(memo);
  if (!found) {
    found = (async () => {
      const paths = dirs.map((dir) => join(dir, name)).filter((path) => existsSync(path));
      const majors = await Promise.all(paths.map(async (path) => ({ path, major: await majorOf(path) })));
      let newest: PgTool | undefined;
      // On a tie the earlier candidate wins.
      for (const { path, major } of majors) {
        if (major === undefined) continue;
        if (!newest || major > newest.major) newest = { path, major };
      }
      return newest;
    })();
    newestByName.set(memo, found);
  }
  return found;
}

/** Starts looking for the tools a step will need, so the look-up overlaps with what comes before. */
export function probePgTools(...names: string[]): void {
  for (const name of names) newestTool(name).catch(() => {});
}

/**
 * The newest installed `name` (pg_dump, pg_restore, psql) whose major is at least the server's: pg_dump
 * refuses to dump a newer server, and an older pg_restore cannot read a newer archive.
 */
export async function findPgTool(name: string, serverMajor: number): Promise<PgTool> {
  const newest = await newestTool(name);
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
