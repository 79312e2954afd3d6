import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'libpg-query';

/** One statement of a SQL file, with the 1-based line of the file it starts on. */
export interface ParsedStatement {
  node: Node;
  line: number;
}

export type ParsedSql =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; error: string; line: number };

type LibPgQuery = typeof import('libpg-query');
let loading: Promise<LibPgQuery> | undefined;

/**
 * PostgreSQL's own parser (libpg_query compiled to WASM). Its Emscripten loader looks for the .wasm in
 * the CommonJS `__dirname`, which an ES module bundle does not have: this module's folder is lent to it
 * as a global while the module starts, and taken back once it has. In a bundle that is the bundle's
 * folder, where scripts/build.mjs puts libpg-query.wasm; run from the sources, the loader is a CommonJS
 * file with its own `__dirname` and the global is not read.
 */
function loadParser(): Promise<LibPgQuery> {
  loading ??= (async () => {
    const global = globalThis as { __dirname?: string };
    const lent = !Object.hasOwn(global, '__dirname');
    if (lent) global.__dirname = dirname(fileURLToPath(import.meta.url));
    try {
      const parser = await import('libpg-query');
      await parser.loadModule();
      return parser;
    } catch (err) {
      throw new Error(`the SQL parser (libpg-query) did not load: ${(err as Error).message}`);
    } finally {
      if (lent) delete global.__dirname;
    }
  })();
  return loading;
}

const LEADING_TRIVIA = /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/;

/** The 1-based line on which `text` (the file's text before a point) ends. */
const lineAt = (text: string) => text.split('\n').length;

/**
 * Statements of a SQL text whose line numbers are those of the file. PostgreSQL gives byte offsets
 * (stmt_location, UTF-8) for statements and a character position for syntax errors.
 */
export async function parseSql(sql: string): Promise<ParsedSql> {
  const parser = await loadParser();
  // An empty text is a parse error to libpg-query; for a migration it is nothing to check.
  if (sql.trim() === '') return { ok: true, statements: [] };
  let result: ReturnType<LibPgQuery['parseSync']>;
  try {
    result = parser.parseSync(sql);
  } catch (err) {
    const position = parser.hasSqlDetails(err) ? (err.sqlDetails?.cursorPosition ?? 0) : 0;
    return {
      ok: false,
      error: (err as Error).message.split('\n')[0] ?? 'syntax error',
      line: lineAt(Array.from(sql).slice(0, position).join('')),
    };
  }
  const bytes = Buffer.from(sql, 'utf8');
  const statements: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const before = bytes.subarray(0, raw.stmt_location ?? 0).toString('utf8');
    // The offset may point at the comments and blank lines before the statement.
    const trivia = LEADING_TRIVIA.exec(sql.slice(before.length))?.[0] ?? '';
    statements.push({ node: raw.stmt, line: lineAt(before + trivia) });
  }
  return { ok: true, statements };
}
