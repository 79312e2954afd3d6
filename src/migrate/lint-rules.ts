import type { AlterTableCmd, ColumnDef, Constraint, DropStmt, Node, RangeVar } from 'libpg-query';

/**
 * What the lint finds, grouped as the rules of policies/db-migrate.json judge them (each kind is named
 * by exactly one rule there; a test holds both lists together).
 */
export const FINDING_KINDS = [
  // Data loss
  'drop-schema',
  'drop-table',
  'drop-view',
  'drop-materialized-view',
  'drop-sequence',
  'drop-type',
  'drop-domain',
  'drop-extension',
  'drop-database',
  'drop-column',
  'drop-constraint',
  'truncate',
  'delete-without-where',
  'update-without-where',
  // Table rewrites and long locks on a table that exists before the migrations
  'type-change',
  'volatile-default',
  'set-not-null',
  'not-null-without-default',
  'create-index',
  'drop-index',
  'unique-constraint',
  'foreign-key',
  'check-constraint',
  // Changes the running release cannot follow
  'rename-table',
  'rename-column',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Kinds about locks: on a table the migrations created, or one the backup counted empty, they are instant. */
const LOCK_KINDS = new Set<FindingKind>(
  FINDING_KINDS.slice(FINDING_KINDS.indexOf('type-change'), FINDING_KINDS.indexOf('check-constraint') + 1),
);

export interface StatementFinding {
  kind: FindingKind;
  /** Schema-qualified name of the object (for a schema, extension or database: its name). */
  object: string;
  column?: string;
}

/** What the statements before this one did, across all the pending migrations in order. */
export interface LintState {
  /** Tables (schema-qualified) created by the pending migrations: nothing uses them yet. */
  created: Set<string>;
  /** Indexes created by the pending migrations. */
  createdIndexes: Set<string>;
  /** Rows per table at backup time. */
  rows: Record<string, number>;
}

const qualify = (parts: string[]) => (parts.length === 1 ? `public.${parts[0]}` : parts.join('.'));
const relation = (r: RangeVar | undefined) =>
  qualify([...(r?.schemaname ? [r.schemaname] : []), r?.relname ?? '?']);
const strings = (nodes: Node[] | undefined) =>
  (nodes ?? []).flatMap((n) => ('String' in n && n.String.sval !== undefined ? [n.String.sval] : []));

function dropName(object: Node): string {
  if ('String' in object) return object.String.sval ?? '?';
  if ('List' in object) return qualify(strings(object.List.items));
  if ('TypeName' in object) return qualify(strings(object.TypeName.names));
  return '?';
}

const DROP_KIND: Partial<Record<NonNullable<DropStmt['removeType']>, FindingKind>> = {
  OBJECT_SCHEMA: 'drop-schema',
  OBJECT_TABLE: 'drop-table',
  OBJECT_FOREIGN_TABLE: 'drop-table',
  OBJECT_VIEW: 'drop-view',
  OBJECT_MATVIEW: 'drop-materialized-view',
  OBJECT_SEQUENCE: 'drop-sequence',
  OBJECT_TYPE: 'drop-type',
  OBJECT_DOMAIN: 'drop-domain',
  OBJECT_EXTENSION: 'drop-extension',
};

const SERIAL = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
// Defaults PostgreSQL evaluates once for all rows (STABLE): no rewrite since PostgreSQL 11.
const STABLE_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp']);

/** Any function call other than the few known to be stable may be volatile: then every row is rewritten. */
function mayBeVolatile(expr: unknown): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  if ('FuncCall' in expr) {
    const name = strings((expr.FuncCall as { funcname?: Node[] }).funcname).at(-1) ?? '';
    if (!STABLE_FUNCTIONS.has(name)) return true;
  }
  return Object.values(expr).some(mayBeVolatile);
}

function addColumnFindings(def: ColumnDef, table: string): StatementFinding[] {
  const column = def.colname ?? '?';
  const constraints = (def.constraints ?? []).flatMap((c) => ('Constraint' in c ? [c.Constraint] : []));
  const has = (type: Constraint['contype']) => constraints.some((c) => c.contype === type);
  const serial = SERIAL.has(strings(def.typeName?.names).at(-1) ?? '');
  const defaulted = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
  const out: StatementFinding[] = [];
  const storedGenerated = constraints.some(
    (c) => c.contype === 'CONSTR_GENERATED' && c.generated_kind === 's',
  );
  if (serial || storedGenerated || (defaulted && mayBeVolatile(defaulted.raw_expr)))
    out.push({ kind: 'volatile-default', object: table, column });
  const filled = serial || defaulted || has('CONSTR_IDENTITY') || has('CONSTR_GENERATED');
  if ((has('CONSTR_NOTNULL') || has('CONSTR_PRIMARY')) && !filled)
    out.push({ kind: 'not-null-without-default', object: table, column });
  for (const c of constraints) out.push(...constraintFindings(c, table, column));
  return out;
}

function constraintFindings(c: Constraint, table: string, column?: string): StatementFinding[] {
  const at = { object: table, ...(column ? { column } : c.conname ? { column: c.conname } : {}) };
  if (c.contype === 'CONSTR_FOREIGN' && !c.skip_validation) return [{ kind: 'foreign-key', ...at }];
  if (c.contype === 'CONSTR_CHECK' && !c.skip_validation && !column)
    return [{ kind: 'check-constraint', ...at }];
  const indexed =
    c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_EXCLUSION';
  // A constraint added USING INDEX takes an index built CONCURRENTLY before: that is the safe way.
  if (indexed && !c.indexname && !column) return [{ kind: 'unique-constraint', ...at }];
  return [];
}

function alterTableFindings(cmd: AlterTableCmd, table: string): StatementFinding[] {
  const column = cmd.name;
  const on = { object: table, ...(column ? { column } : {}) };
  switch (cmd.subtype) {
    case 'AT_DropColumn':
      return [{ kind: 'drop-column', ...on }];
    case 'AT_DropConstraint':
      return [{ kind: 'drop-constraint', ...on }];
    case 'AT_AlterColumnType':
      return [{ kind: 'type-change', ...on }];
    case 'AT_SetNotNull':
      return [{ kind: 'set-not-null', ...on }];
    case 'AT_AddColumn':
      return cmd.def && 'ColumnDef' in cmd.def ? addColumnFindings(cmd.def.ColumnDef, table) : [];
    case 'AT_AddConstraint':
      return cmd.def && 'Constraint' in cmd.def ? constraintFindings(cmd.def.Constraint, table) : [];
    default:
      return [];
  }
}

/** The findings of one statement, before the exemptions that depend on what came earlier. */
function rawFindings(node: Node): StatementFinding[] {
  if ('DropStmt' in node) {
    const s = node.DropStmt;
    const names = (s.objects ?? []).map(dropName);
    if (s.removeType === 'OBJECT_INDEX')
      return s.concurrent ? [] : names.map((object) => ({ kind: 'drop-index' as const, object }));
    const kind = s.removeType ? DROP_KIND[s.removeType] : undefined;
    return kind ? names.map((object) => ({ kind, object })) : [];
  }
  if ('DropdbStmt' in node) return [{ kind: 'drop-database', object: node.DropdbStmt.dbname ?? '?' }];
  if ('TruncateStmt' in node)
    return (node.TruncateStmt.relations ?? []).flatMap((r) =>
      'RangeVar' in r ? [{ kind: 'truncate' as const, object: relation(r.RangeVar) }] : [],
    );
  if ('DeleteStmt' in node && !node.DeleteStmt.whereClause)
    return [{ kind: 'delete-without-where', object: relation(node.DeleteStmt.relation) }];
  if ('UpdateStmt' in node && !node.UpdateStmt.whereClause)
    return [{ kind: 'update-without-where', object: relation(node.UpdateStmt.relation) }];
  if ('IndexStmt' in node && !node.IndexStmt.concurrent)
    return [{ kind: 'create-index', object: relation(node.IndexStmt.relation) }];
  if ('AlterTableStmt' in node) {
    const table = relation(node.AlterTableStmt.relation);
    return (node.AlterTableStmt.cmds ?? []).flatMap((c) =>
      'AlterTableCmd' in c ? alterTableFindings(c.AlterTableCmd, table) : [],
    );
  }
  if ('RenameStmt' in node) {
    const s = node.RenameStmt;
    const object = relation(s.relation);
    if (s.renameType === 'OBJECT_COLUMN')
      return [{ kind: 'rename-column', object, column: s.subname ?? '?' }];
    if (
      s.renameType === 'OBJECT_TABLE' ||
      s.renameType === 'OBJECT_VIEW' ||
      s.renameType === 'OBJECT_MATVIEW'
    )
      return [{ kind: 'rename-table', object }];
  }
  return [];
}

/** Records what a statement creates, so later statements on it are judged as on a new object. */
function remember(node: Node, state: LintState): void {
  if ('CreateStmt' in node) state.created.add(relation(node.CreateStmt.relation));
  if ('CreateTableAsStmt' in node) state.created.add(relation(node.CreateTableAsStmt.into?.rel));
  if ('ViewStmt' in node) state.created.add(relation(node.ViewStmt.view));
  if ('IndexStmt' in node && node.IndexStmt.idxname) {
    // An index lives in its table's schema.
    const schema = node.IndexStmt.relation?.schemaname;
    state.createdIndexes.add(qualify([...(schema ? [schema] : []), node.IndexStmt.idxname]));
  }
}

/** The findings of one statement, given what the pending migrations did before it. */
export function statementFindings(node: Node, state: LintState): StatementFinding[] {
  const findings = rawFindings(node).filter((f) => {
    if (f.kind === 'drop-index') return !state.createdIndexes.has(f.object);
    // Data that the pending migrations themselves wrote is not data the release loses.
    if (state.created.has(f.object)) return false;
    return !(LOCK_KINDS.has(f.kind) && state.rows[f.object] === 0);
  });
  remember(node, state);
  return findings;
}
