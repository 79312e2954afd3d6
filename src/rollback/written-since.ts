import type pg from 'pg';

/**
 * What was written to the database after the pre-deploy backup, in every table, whatever its columns.
 *
 * Each row version carries the id of the transaction that wrote it (xmin). The backup manifest records
 * the dump's snapshot (xmin:xmax:in-progress ids), so a row whose xmin the snapshot did not see as
 * committed was inserted or updated after the backup: exact, and unlike the statistics counters
 * (pg_stat_user_tables n_tup_*) it survives a stats reset or a crash and never lags behind. Deleted rows
 * leave no xmin behind, so the backup's rows still there unchanged are counted too: rows of the backup
 * that are gone were updated or deleted. Where the two cannot tell (xids wrapped, an older manifest) the
 * answer is "cannot tell", which stops the restore like a write would: fail closed.
 */
export interface TableWrites {
  /** schema.table */
  table: string;
  rowsInBackup: number | undefined;
  rowsNow: number;
  /** Rows now written (inserted or updated) after the backup's snapshot; undefined when it cannot be told. */
  changedRows: number | undefined;
  /** Rows of the backup no longer there as they were (updated or deleted); undefined as above. */
  goneRows: number | undefined;
  /** Rows with a timestamp column newer than the backup; undefined when the table has no such column. */
  newerRows: number | undefined;
  /** Timestamp columns compared. */
  columns: string[];
  /**
   * Writes since the backup, at least (an insert hidden behind a delete is one more): the larger of the
   * changed rows, the gone rows, the count increase and the newer rows. Positive whenever anything was
   * written; 1 when it cannot be told.
   */
  written: number;
}

export interface WritesReport {
  tables: TableWrites[];
  /** Sum of `written` over all tables. */
  total: number;
  /** Why writes could not be told apart from the backup's rows by transaction id; undefined when they could. */
  unknown: string | undefined;
}

const XID_SPACE = 4_294_967_296n;
/** Beyond half the 32-bit xid space, a row's xmin cannot be placed before or after the backup. */
const XID_HORIZON = 2_147_483_648n;

export interface XidWindow {
  /** The backup snapshot's xmin, modulo 2^32. */
  base: number;
  /** xids from base up to here were committed before the backup, save those in `inProgress`. */
  backupSpan: number;
  /** xids from base up to here have been handed out by now. */
  nowSpan: number;
  /** Transactions running while the backup was taken (their rows are not in it), modulo 2^32. */
  inProgress: number[];
}

/** The window of 32-bit xids written after the backup, or why it cannot be told. */
export function xidWindow(backupSnapshot: string | undefined, nowXmax: bigint): XidWindow | string {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(backupSnapshot ?? '');
  if (!m) return 'the backup manifest records no transaction snapshot (a backup from an older deploy-gates)';
  const xmin = BigInt(m[1] ?? '0');
  const xmax = BigInt(m[2] ?? '0');
  if (nowXmax < xmax)
    return 'the database has fewer transactions than the backup: it is not the one backed up';
  if (nowXmax - xmin >= XID_HORIZON)
    return `${nowXmax - xmin} transactions ran since the backup, more than row xids can place`;
  return {
    base: Number(xmin % XID_SPACE),
    backupSpan: Number(xmax - xmin),
    nowSpan: Number(nowXmax - xmin),
    inProgress: (m[3] ? m[3].split(',') : []).map((x) => Number(BigInt(x) % XID_SPACE)),
  };
}

/** Columns named as given, with a date/time type, in each table; names are compared case-sensitively. */
async function timestampColumns(
  client: pg.ClientBase,
  names: readonly string[],
): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ schema: string; table: string; column: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE t.table_type = 'BASE TABLE'
        AND c.column_name = ANY($1::text[])
        AND c.data_type IN ('timestamp with time zone', 'timestamp without time zone', 'date')
        AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1, 2, array_position($1::text[], c.column_name::text)`,
    [names],
  );
  const byTable = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.schema}.${r.table}`;
    byTable.set(key, [...(byTable.get(key) ?? []), r.column]);
  }
  return byTable;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function splitTable(table: string): [string, string] {
  const dot = table.indexOf('.');
  return dot < 0 ? ['public', table] : [table.slice(0, dot), table.slice(dot + 1)];
}

/**
 * One scan of the table: its rows, and those whose xmin falls after the backup (xids 0-2 are the
 * bootstrap and frozen ids of tuples older than any backup). A row frozen more than 2^32 - window xids
 * ago can alias into the window: then it counts as written, the safe side.
 */
async function scanTable(
  client: pg.ClientBase,
  table: string,
  window: XidWindow | undefined,
  cols: string[],
  backupTakenAt: Date,
): Promise<{ rows: number; changed: number | undefined; newer: number | undefined }> {
  const [schema, name] = splitTable(table);
  const params: unknown[] = [];
  const $ = (v: unknown) => `$${params.push(v)}`;
  let changed = 'NULL::bigint';
  if (window) {
    const age = `((xmin::text::bigint - ${$(window.base)}::bigint + ${XID_SPACE}) % ${XID_SPACE})`;
    changed = `count(*) FILTER (WHERE xmin::text::bigint >= 3 AND ${age} < ${$(window.nowSpan)}::bigint AND (${age} >= ${$(window.backupSpan)}::bigint OR xmin::text::bigint = ANY(${$(window.inProgress)}::bigint[])))`;
  }
  let newer = 'NULL::bigint';
  if (cols.length) {
    const at = $(backupTakenAt);
    newer = `count(*) FILTER (WHERE ${cols.map((c) => `${quoteIdent(c)} > ${at}`).join(' OR ')})`;
  }
  const { rows } = await client.query<{ n: string; changed: string | null; newer: string | null }>(
    `SELECT count(*) AS n, ${changed} AS changed, ${newer} AS newer FROM ${quoteIdent(schema)}.${quoteIdent(name)}`,
    params,
  );
  const r = rows[0];
  const num = (v: string | null | undefined) => (v === null || v === undefined ? undefined : Number(v));
  return { rows: Number(r?.n ?? 0), changed: num(r?.changed), newer: num(r?.newer) };
}

/**
 * Compares every table now with the backup. `tables` are the tables now (the caller leaves out the
 * journals and the migration tools' own tables); tables only in the backup were dropped since (by a
 * migration: the restore brings them back, nothing is lost). Tables that exist now but not in the backup
 * count in full: their rows are not in the backup either.
 */
export async function writtenSinceBackup(
  client: pg.ClientBase,
  options: {
    backupTakenAt: Date;
    /** The backup manifest's xidSnapshot. */
    backupSnapshot: string | undefined;
    countsInBackup: Readonly<Record<string, number>>;
    tables: readonly string[];
    timestampColumns: readonly string[];
  },
): Promise<WritesReport> {
  const columns = options.timestampColumns.length
    ? await timestampColumns(client, options.timestampColumns)
    : new Map<string, string[]>();
  const { rows } = await client.query<{ x: string }>(
    'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x',
  );
  const window = xidWindow(options.backupSnapshot, BigInt(rows[0]?.x ?? '0'));
  const known = typeof window === 'string' ? undefined : window;
  const tables: TableWrites[] = [];
  for (const table of [...options.tables].sort((a, b) => a.localeCompare(b))) {
    const cols = columns.get(table) ?? [];
    const scan = await scanTable(client, table, known, cols, options.backupTakenAt);
    const rowsInBackup = options.countsInBackup[table];
    const unchanged = scan.changed === undefined ? undefined : scan.rows - scan.changed;
    const goneRows = unchanged === undefined ? undefined : Math.max(0, (rowsInBackup ?? 0) - unchanged);
    const increase = rowsInBackup === undefined ? scan.rows : Math.max(0, scan.rows - rowsInBackup);
    const counted = Math.max(increase, scan.changed ?? 0, goneRows ?? 0, scan.newer ?? 0);
    tables.push({
      table,
      rowsInBackup,
      rowsNow: scan.rows,
      changedRows: scan.changed,
      goneRows,
      newerRows: scan.newer,
      columns: cols,
      written: known || counted > 0 ? counted : 1,
    });
  }
  return {
    tables,
    total: tables.reduce((sum, t) => sum + t.written, 0),
    unknown: typeof window === 'string' ? window : undefined,
  };
}

/** "1 row", "4 rows". */
export const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
/** "1 row was", "4 rows were". */
export const rowsWere = (n: number) => `${rows(n)} ${n === 1 ? 'was' : 'were'}`;

/** "public.visits: 4 rows inserted or updated, 4 rows of the backup updated or deleted (12 → 12)", ... */
export function describeWrites(report: WritesReport): string {
  const tables = report.tables
    .filter((t) => t.written > 0)
    .map((t) => {
      const parts: string[] = [];
      if (t.rowsInBackup === undefined) parts.push(`table not in the backup, ${rows(t.rowsNow)}`);
      if (t.changedRows) parts.push(`${rows(t.changedRows)} inserted or updated`);
      if (t.goneRows) parts.push(`${rows(t.goneRows)} of the backup updated or deleted`);
      if (t.newerRows) parts.push(`${rows(t.newerRows)} newer than the backup by ${t.columns.join('/')}`);
      if (t.changedRows === undefined) parts.push('writes cannot be told apart by transaction id');
      const counts =
        t.rowsInBackup !== undefined && t.rowsInBackup !== t.rowsNow
          ? ` (${t.rowsInBackup} → ${t.rowsNow})`
          : '';
      return `${t.table}: ${parts.join(', ') || `${rows(t.written)} more`}${counts}`;
    })
    .join('; ');
  return report.unknown ? `${tables}${tables ? '; ' : ''}cannot tell: ${report.unknown}` : tables;
}
