import { readFile } from 'node:fs/promises';
import { type FindingKind, type LintState, statementFindings } from './lint-rules.js';
import { parseSql } from './sql-parser.js';

export type { FindingKind } from './lint-rules.js';

export interface LintFinding {
  migration: string;
  /** The migration's file, relative to the workspace. */
  file: string;
  /** 1-based line of the statement in that file. */
  line: number;
  kind: FindingKind;
  /** Schema-qualified table (or the schema, view, type… the statement is about). */
  object: string;
  column?: string;
  /** Rows the table held at backup time. */
  rows?: number;
}

export interface LintReport {
  findings: LintFinding[];
  /** Migrations whose SQL PostgreSQL's parser rejects: nothing in them was checked. */
  unparsed: { migration: string; file: string; line: number; error: string }[];
  /** Migrations that are not SQL (JavaScript or TypeScript): not linted. */
  notSql: string[];
}

/**
 * Only the up part of a migration runs: dbmate's `-- migrate:down` and node-pg-migrate's
 * `-- Down Migration` end it. Lines are kept, so line numbers stay those of the file.
 */
export function upSection(sql: string): string {
  const up = sql.split(/^--\s*(?:migrate:down|Down Migration)\b.*$/im)[0] ?? sql;
  return up.replace(/^--\s*migrate:up\b.*$/m, '');
}

/**
 * The dangerous changes in pending migrations, found with PostgreSQL's own parser. The migrations are
 * read in the order they run, so a table created by one is new to the ones after it.
 */
export async function lintMigrations(
  pending: { name: string; file: string; display: string }[],
  rows: Record<string, number>,
): Promise<LintReport> {
  const report: LintReport = { findings: [], unparsed: [], notSql: [] };
  const state: LintState = { created: new Set(), createdIndexes: new Set(), rows };
  for (const m of pending) {
    if (!m.file.endsWith('.sql')) {
      report.notSql.push(m.name);
      continue;
    }
    const parsed = await parseSql(upSection(await readFile(m.file, 'utf8')));
    if (!parsed.ok) {
      report.unparsed.push({ migration: m.name, file: m.display, line: parsed.line, error: parsed.error });
      continue;
    }
    for (const { node, line } of parsed.statements) {
      for (const f of statementFindings(node, state)) {
        const counted = rows[f.object];
        report.findings.push({
          migration: m.name,
          file: m.display,
          line,
          ...f,
          ...(counted === undefined ? {} : { rows: counted }),
        });
      }
    }
  }
  return report;
}
