import { InputError } from '../errors.js';
import type { InputReader } from '../runner/inputs.js';
import { type DbTarget, parseDatabaseUrl } from './connection.js';

/** A database named by an input: parsed and checked, its secrets already masked. */
export interface DatabaseTarget extends DbTarget {
  /** The value as given, for a tool that takes DATABASE_URL itself (a migration tool, a hook). */
  url: string;
  /** Which input named it, for messages. */
  input: string;
}

/**
 * The one reader of a database URL input (database-url unless `name` says otherwise), for every action.
 * The value and its password (decoded and as written) are masked before the value is looked at, so no
 * later line, a driver's error included, can show them; then the URL is parsed, and a value that is not
 * a postgresql:// URL with a host and a database is an input error, never an unreachable database.
 * Empty: undefined when `optional`, else an input error.
 */
export function readDatabaseTarget(
  input: InputReader,
  mask: (secret: string) => void,
  opts: { name?: string; optional: true },
): DatabaseTarget | undefined;
export function readDatabaseTarget(
  input: InputReader,
  mask: (secret: string) => void,
  opts?: { name?: string; optional?: false },
): DatabaseTarget;
export function readDatabaseTarget(
  input: InputReader,
  mask: (secret: string) => void,
  { name = 'database-url', optional = false }: { name?: string; optional?: boolean } = {},
): DatabaseTarget | undefined {
  const url = input(name);
  if (url) {
    mask(url);
    const written = /^[^:/]+:\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1];
    if (written) mask(written);
  }
  if (!url && optional) return undefined;
  if (!url)
    throw new InputError(
      name,
      'is required but empty',
      'Pass the database URL from a secret: postgresql://user:password@host:5432/database.',
    );
  const target = parseDatabaseUrl(name, url);
  if (target.password) mask(target.password);
  return { ...target, url, input: name };
}
