import { readFile } from 'node:fs/promises';

export type FindingKind =
  | 'drop-table'
  | 'drop-column'
  | 'truncate'
  | 'type-change'
  | 'not-null-without-default'
  | 'set-not-null'
  | 'rename-table'
  | 'rename-column';

export interface LintFinding {
  migration: string;
  file: string;
  kind: FindingKind;
  table: string;
  column?: string;
  /** Rows the table held at backup time; NOT NULL changes matter only on populated tables. */
  rows?: number;
}

export interface LintReport {
  findings: LintFinding[];
  /** Migrations whose SQL the parser could not read: nothing was checked in them. */
  unparsed: { migration: string; file: string; error: string }[];
  /** Migrations that are not SQL (JavaScript or TypeScript): not linted. */
  notSql: string[];
}

interface Named {
  name: string;
  schema?: string;
}
const qualified = (n: Named) => `${n.schema ?? 'public'}.${n.name}`;

/** dbmate keeps up and down in one file: only the up part runs. */
export function upSection(sql: string): string {
  const up = sql.split(/^--\s*migrate:down\b.*$/m)[0] ?? sql;
  return up.replace(/^--\s*migrate:up\b.*$/m, '');
}

type AnyStatement = { type: string; [k: string]: unknown };

function findingsOf(
  stmt: AnyStatement,
  base: Omit<LintFinding, 'kind' | 'table'>,
  rows: Record<string, number>,
): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (kind: FindingKind, table: string, column?: string) =>
    out.push({
      ...base,
      kind,
      table,
      ...(column ? { column } : {}),
      ...(rows[table] !== undefined ? { rows: rows[table] } : {}),
    });
  if (stmt.type === 'drop table') for (const n of stmt.names as Named[]) add('drop-table', qualified(n));
  if (stmt.type === 'truncate table') for (const n of stmt.tables as Named[]) add('truncate', qualified(n));
  if (stmt.type === 'alter table') {
    const table = qualified(stmt.table as Named);
    for (const change of stmt.changes as AnyStatement[]) {
      const column = (change.column as Named | undefined)?.name;
      if (change.type === 'drop column') add('drop-column', table, column);
      if (change.type === 'rename') add('rename-table', table);
      if (change.type === 'rename column') add('rename-column', table, column);
      if (change.type === 'alter column') {
        const alter = change.alter as AnyStatement;
        if (alter.type === 'set type') add('type-change', table, column);
        if (alter.type === 'set not null' && (rows[table] ?? 1) > 0) add('set-not-null', table, column);
      }
      if (change.type === 'add column') {
        const col = change.column as { name: Named; constraints?: AnyStatement[] };
        const constraints = col.constraints ?? [];
        const notNull = constraints.some((c) => c.type === 'not null' || c.type === 'primary key');
        const hasDefault = constraints.some((c) => c.type === 'default');
        // A populated table (or one we know nothing of) cannot take a NOT NULL column without a default.
        if (notNull && !hasDefault && (rows[table] ?? 1) > 0)
          add('not-null-without-default', table, col.name.name);
      }
    }
  }
  return out;
}

/** The destructive changes in pending migrations, found with a real SQL parser (pgsql-ast-parser). */
export async function lintMigrations(
  pending: { name: string; file: string; display: string }[],
  rows: Record<string, number>,
): Promise<LintReport> {
  const report: LintReport = { findings: [], unparsed: [], notSql: [] };
  if (pending.length === 0) return report;
  const { parse } = await import('pgsql-ast-parser');
  for (const m of pending) {
    if (!m.file.endsWith('.sql')) {
      report.notSql.push(m.name);
      continue;
    }
    const sql = upSection(await readFile(m.file, 'utf8'));
    let statements: AnyStatement[];
    try {
      statements = parse(sql) as unknown as AnyStatement[];
    } catch (err) {
      report.unparsed.push({
        migration: m.name,
        file: m.display,
        error: (err as Error).message.split('\n')[0] ?? 'parse error',
      });
      continue;
    }
    for (const s of statements)
      report.findings.push(...findingsOf(s, { migration: m.name, file: m.display }, rows));
  }
  return report;
}
