import type pg from 'pg';
import { JOURNAL_SCHEMA } from '../db/journal.js';
import type { MigrationFacts } from '../db/migration-state.js';
import { rowCounts } from '../db/queries.js';
import { type MigrationCommand, pendingFiles } from './tools.js';

/**
 * A migration run that failed: which migrations were applied before it, which one failed (and its file),
 * and how the database now differs from before the run. A migration without a transaction (dbmate's
 * `transaction:false`, node-pg-migrate's noTransaction) can commit part of itself and still fail.
 */
export class PartialMigrationError extends Error {
  override readonly name = 'PartialMigrationError';
  constructor(
    message: string,
    /** Recorded as applied by the tool during this run. */
    readonly applied: string[],
    /** The migration that failed; undefined when the tool failed outside any pending migration. */
    readonly failed: string | undefined,
    /** What the tool said. */
    readonly toolMessage: string = message,
    /** The failed migration's file, as shown to the user. */
    readonly file: string | undefined = undefined,
    /** How the database differs from the pre-deploy backup (tables, columns, row counts). */
    readonly changes: string[] = [],
  ) {
    super(message);
  }
}

/** schema.table → its columns: the cheap part of the schema a half-done migration usually changes. */
export async function columnsOf(client: pg.ClientBase): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ t: string; c: string }>(
    `SELECT table_schema || '.' || table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema', $1) ORDER BY 1, ordinal_position`,
    [JOURNAL_SCHEMA],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.t, [...(out.get(r.t) ?? []), r.c]);
  return out;
}

/** "table public.x added (2 rows); public.patients: column nickname added; public.visits 10 → 12 rows" */
export function describeChanges(
  before: Map<string, string[]>,
  after: Map<string, string[]>,
  countsBefore: Record<string, number>,
  countsAfter: Record<string, number>,
  ignore: (table: string) => boolean,
): string[] {
  const out: string[] = [];
  for (const t of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    if (ignore(t)) continue;
    const was = before.get(t);
    const now = after.get(t);
    if (!was) out.push(`table ${t} added (${countsAfter[t] ?? 0} rows)`);
    else if (!now) out.push(`table ${t} dropped`);
    else {
      const added = now.filter((c) => !was.includes(c));
      const dropped = was.filter((c) => !now.includes(c));
      if (added.length) out.push(`${t}: column ${added.join(', ')} added`);
      if (dropped.length) out.push(`${t}: column ${dropped.join(', ')} dropped`);
      if (t in countsBefore && t in countsAfter && countsBefore[t] !== countsAfter[t])
        out.push(`${t} ${countsBefore[t]} → ${countsAfter[t]} rows`);
    }
  }
  return out;
}

/** Builds the error for a failed tool run from the database as the failure left it. */
export async function describeFailure(
  client: pg.Client,
  cause: Error,
  o: {
    cmd: MigrationCommand;
    before: MigrationFacts | undefined;
    after: MigrationFacts | undefined;
    columnsBefore: Map<string, string[]>;
    backupCounts: Record<string, number>;
    root: string;
    ignore: (table: string) => boolean;
  },
): Promise<PartialMigrationError> {
  const done = new Set(o.after?.applied ?? []);
  const was = new Set(o.before?.applied ?? []);
  const applied = (o.after?.applied ?? []).filter((a) => !was.has(a));
  const failed = (o.before?.pending ?? []).find((p) => !done.has(p));
  const tool = o.cmd.tool === 'command' || o.cmd.tool === 'none' ? o.before?.tool : o.cmd.tool;
  const file = failed
    ? pendingFiles(tool, o.cmd.folder, [failed], o.root).find((f) => f.name === failed)?.display
    : undefined;
  const changes = describeChanges(
    o.columnsBefore,
    await columnsOf(client),
    o.backupCounts,
    await rowCounts(client),
    o.ignore,
  );
  const parts = [
    cause.message,
    `Applied by this run before the failure: ${applied.join(', ') || 'none'}.`,
    failed
      ? `Failed: ${failed}${file ? ` (${file})` : ''}; not recorded as applied, but without a transaction it may have committed part of itself.`
      : '',
    changes.length
      ? `The database now differs from the pre-deploy backup: ${changes.join('; ')}.`
      : 'No table, column or row count differs from the pre-deploy backup (indexes, constraints and functions are not compared).',
  ];
  return new PartialMigrationError(
    parts.filter(Boolean).join(' '),
    applied,
    failed,
    cause.message,
    file,
    changes,
  );
}
