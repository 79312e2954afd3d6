import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { urlOrInputError } from '../runner/inputs.js';

/** A PostgreSQL database as the client tools need it; the password never leaves through argv. */
export interface DbTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Query parameters of the URL (sslmode and the like), passed on as PG* variables. */
  params: Record<string, string>;
}

export function parseDatabaseUrl(input: string, raw: string): DbTarget {
  // The value is a secret: never quote it.
  const url = urlOrInputError(
    input,
    raw,
    'is not a URL',
    'Set it to postgresql://user:password@host:5432/database (from a secret).',
  );
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new InputError(input, `has the scheme "${url.protocol}"`, 'Use a postgresql:// URL.');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || !url.hostname) {
    throw new InputError(
      input,
      'names no host or no database',
      'Use postgresql://user:password@host:5432/database.',
    );
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database,
    params: Object.fromEntries(url.searchParams),
  };
}

export function withDatabase(target: DbTarget, database: string): DbTarget {
  return { ...target, database };
}

export function connectionString(t: DbTarget): string {
  const auth = `${encodeURIComponent(t.user)}${t.password ? `:${encodeURIComponent(t.password)}` : ''}`;
  const query = new URLSearchParams(t.params).toString();
  return `postgresql://${auth}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/${encodeURIComponent(t.database)}${query ? `?${query}` : ''}`;
}

const PARAM_ENV: Record<string, string> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
};

/**
 * Writes a 0600 pgpass file for the target (in RUNNER_TEMP) and returns the environment the client tools
 * need: the password reaches them through that file, never through argv, where `ps` would show it.
 */
export async function clientEnv(
  t: DbTarget,
  tempDir: string,
): Promise<{ env: Record<string, string>; dispose: () => Promise<void> }> {
  await mkdir(tempDir, { recursive: true });
  const file = join(tempDir, `pgpass-${process.pid}-${randomBytes(4).toString('hex')}`);
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  await writeFile(file, `${esc(t.host)}:${t.port}:*:${esc(t.user)}:${esc(t.password)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  const env: Record<string, string> = {
    PGHOST: t.host,
    PGPORT: String(t.port),
    PGUSER: t.user,
    PGDATABASE: t.database,
    PGPASSFILE: file,
  };
  for (const [k, v] of Object.entries(t.params)) if (PARAM_ENV[k]) env[PARAM_ENV[k]] = v;
  // Deleted as soon as the tools are done: the password stays on disk no longer than needed.
  return { env, dispose: () => rm(file, { force: true }) };
}
