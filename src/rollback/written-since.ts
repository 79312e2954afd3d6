import type pg from 'pg';

/**
 * What was written to the database after the pre-deploy backup: for each table, the row count now against
 * the count in the backup manifest, and the rows whose timestamp columns (updated_at, created_at, ...) are
 * newer than the backup. Restoring the backup would lose these rows, so they decide whether a restore may
 * go ahead without `allow-data-loss`.
 */
export interface TableWrites {
  /** schema.table */
  table: string;
  rowsInBackup: number | undefined;
  rowsNow: number;
  /** Rows with any timestamp column newer than the backup; undefined when the table has no such column. */
  newerRows: number | undefined;
  /** Columns that were compared. */
  columns: string[];
  /** Rows that restoring would lose: the larger of the count increase and the newer rows. */
  written: number;
}

export interface WritesReport {
  tables: TableWrites[];
  /** Sum of `written` over all tables. */
  total: number;
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
 * Compares counts now with the backup manifest's and counts newer rows. Tables that exist now but not in
 * the backup (created by a migration) count in full: their rows are not in the backup either.
 */
export async function writtenSinceBackup(
  client: pg.ClientBase,
  options: {
    backupTakenAt: Date;
    countsInBackup: Readonly<Record<string, number>>;
    countsNow: Readonly<Record<string, number>>;
    timestampColumns: readonly string[];
  },
): Promise<WritesReport> {
  const columns = options.timestampColumns.length
    ? await timestampColumns(client, options.timestampColumns)
    : new Map<string, string[]>();
  const tables: TableWrites[] = [];
  for (const [table, rowsNow] of Object.entries(options.countsNow).sort(([a], [b]) => a.localeCompare(b))) {
    const rowsInBackup = options.countsInBackup[table];
    const cols = columns.get(table) ?? [];
    let newerRows: number | undefined;
    if (cols.length > 0 && rowsNow > 0) {
      const [schema, name] = splitTable(table);
      const where = cols.map((c) => `${quoteIdent(c)} > $1`).join(' OR ');
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${quoteIdent(schema)}.${quoteIdent(name)} WHERE ${where}`,
        [options.backupTakenAt],
      );
      newerRows = Number(rows[0]?.n ?? 0);
    } else if (cols.length > 0) {
      newerRows = 0;
    }
    const increase = rowsInBackup === undefined ? rowsNow : Math.max(0, rowsNow - rowsInBackup);
    const written = Math.max(increase, newerRows ?? 0);
    tables.push({ table, rowsInBackup, rowsNow, newerRows, columns: cols, written });
  }
  return { tables, total: tables.reduce((sum, t) => sum + t.written, 0) };
}

/** "visits: 3 rows (12 → 15), notes: 1 row (1 newer than the backup)" for the tables with writes. */
export function describeWrites(report: WritesReport): string {
  return report.tables
    .filter((t) => t.written > 0)
    .map((t) => {
      const parts: string[] = [];
      if (t.rowsInBackup === undefined) parts.push(`table not in the backup, ${t.rowsNow} rows`);
      else if (t.rowsNow !== t.rowsInBackup) parts.push(`${t.rowsInBackup} → ${t.rowsNow}`);
      if (t.newerRows) parts.push(`${t.newerRows} newer than the backup by ${t.columns.join('/')}`);
      return `${t.table}: ${t.written} row${t.written === 1 ? '' : 's'} (${parts.join(', ')})`;
    })
    .join(', ');
}
