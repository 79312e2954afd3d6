import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LintReport, lintMigrations, upSection } from '../../src/migrate/lint.js';
import { FINDING_KINDS } from '../../src/migrate/lint-rules.js';
import { workspace } from '../policy/helpers.js';

const ROWS = { 'public.patients': 200, 'public.empty': 0, 'app.visits': 10 };

/** Lints migrations given as name → SQL, in that order, against the row counts above. */
async function lint(files: Record<string, string>, rows: Record<string, number> = ROWS): Promise<LintReport> {
  const dir = workspace(Object.fromEntries(Object.entries(files).map(([n, sql]) => [`db/${n}.sql`, sql])));
  return lintMigrations(
    Object.keys(files).map((name) => ({
      name,
      file: join(dir, 'db', `${name}.sql`),
      display: `db/${name}.sql`,
    })),
    rows,
  );
}

/** `kind object[.column]` of each finding of one statement. */
async function kinds(sql: string): Promise<string[]> {
  const report = await lint({ m: sql });
  expect(report.unparsed).toEqual([]);
  return report.findings.map((f) => `${f.kind} ${f.object}${f.column ? `.${f.column}` : ''}`);
}

describe('migration lint: data loss', () => {
  it.each([
    ['DROP SCHEMA app CASCADE;', ['drop-schema app']],
    ['DROP TABLE patients, app.visits;', ['drop-table public.patients', 'drop-table app.visits']],
    ['DROP VIEW v_patients;', ['drop-view public.v_patients']],
    ['DROP MATERIALIZED VIEW app.mv;', ['drop-materialized-view app.mv']],
    [
      'DROP SEQUENCE s; DROP TYPE mood; DROP DOMAIN cpf;',
      ['drop-sequence public.s', 'drop-type public.mood', 'drop-domain public.cpf'],
    ],
    ['DROP EXTENSION pgcrypto; DROP DATABASE old;', ['drop-extension pgcrypto', 'drop-database old']],
    ['ALTER TABLE patients DROP COLUMN cpf;', ['drop-column public.patients.cpf']],
    [
      'ALTER TABLE patients DROP CONSTRAINT patients_cpf_key;',
      ['drop-constraint public.patients.patients_cpf_key'],
    ],
    ['TRUNCATE patients, app.visits;', ['truncate public.patients', 'truncate app.visits']],
    ['DELETE FROM patients;', ['delete-without-where public.patients']],
    ['UPDATE patients SET name = NULL;', ['update-without-where public.patients']],
  ])('%s', async (sql, expected) => {
    expect(await kinds(sql)).toEqual(expected);
  });

  it('lets a bounded DELETE or UPDATE, and changes to tables the migrations create, through', async () => {
    expect(
      await kinds(
        "DELETE FROM patients WHERE id = 1; UPDATE patients SET name = 'x' WHERE id = 2;\n" +
          'CREATE TABLE staging (id int); INSERT INTO staging VALUES (1); DELETE FROM staging; DROP TABLE staging;',
      ),
    ).toEqual([]);
  });
});

describe('migration lint: rewrites and long locks on existing tables', () => {
  it.each([
    ['ALTER TABLE patients ALTER COLUMN name TYPE varchar(50);', ['type-change public.patients.name']],
    [
      'ALTER TABLE patients ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      ['volatile-default public.patients.token'],
    ],
    ['ALTER TABLE patients ADD COLUMN n bigserial;', ['volatile-default public.patients.n']],
    ['ALTER TABLE patients ALTER COLUMN name SET NOT NULL;', ['set-not-null public.patients.name']],
    [
      'ALTER TABLE patients ADD COLUMN birth date NOT NULL;',
      ['not-null-without-default public.patients.birth'],
    ],
    ['CREATE INDEX patients_name ON patients (name);', ['create-index public.patients']],
    ['CREATE UNIQUE INDEX patients_cpf ON patients (cpf);', ['create-index public.patients']],
    ['DROP INDEX patients_name;', ['drop-index public.patients_name']],
    ['ALTER TABLE patients ADD CONSTRAINT u UNIQUE (cpf);', ['unique-constraint public.patients.u']],
    [
      'ALTER TABLE patients ADD FOREIGN KEY (id) REFERENCES app.visits (id);',
      ['foreign-key public.patients'],
    ],
    ['ALTER TABLE patients ADD COLUMN v int REFERENCES app.visits (id);', ['foreign-key public.patients.v']],
    ['ALTER TABLE patients ADD CONSTRAINT ck CHECK (id > 0);', ['check-constraint public.patients.ck']],
  ])('%s', async (sql, expected) => {
    expect(await kinds(sql)).toEqual(expected);
  });

  it('lets the safe forms through', async () => {
    expect(
      await kinds(
        [
          "ALTER TABLE patients ADD COLUMN status text NOT NULL DEFAULT 'active';",
          'ALTER TABLE patients ADD COLUMN seen timestamptz DEFAULT now();',
          'ALTER TABLE patients ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;',
          'CREATE INDEX CONCURRENTLY patients_name ON patients (name);',
          'DROP INDEX CONCURRENTLY patients_old;',
          'ALTER TABLE patients ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES app.visits (id) NOT VALID;',
          'ALTER TABLE patients VALIDATE CONSTRAINT fk;',
          'ALTER TABLE patients ADD CONSTRAINT ck CHECK (id > 0) NOT VALID;',
          'ALTER TABLE patients ADD CONSTRAINT u UNIQUE USING INDEX patients_cpf;',
          'ALTER TABLE patients ALTER COLUMN name DROP NOT NULL;',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('a table the migrations create, or one the backup counted empty, takes any lock at once', async () => {
    const report = await lint({
      '001_create': 'CREATE TABLE consents (id int, patient int);',
      '002_index':
        'CREATE INDEX consents_patient ON consents (patient); ALTER TABLE consents ALTER COLUMN id SET NOT NULL;',
      '003_empty': 'CREATE INDEX empty_x ON empty (x); ALTER TABLE empty ADD COLUMN y int NOT NULL;',
    });
    expect(report.findings).toEqual([]);
  });
});

describe('migration lint: changes the running release cannot follow', () => {
  it.each([
    ['ALTER TABLE patients RENAME TO people;', ['rename-table public.patients']],
    ['ALTER VIEW app.v RENAME TO w;', ['rename-table app.v']],
    ['ALTER TABLE patients RENAME COLUMN name TO full_name;', ['rename-column public.patients.name']],
  ])('%s', async (sql, expected) => {
    expect(await kinds(sql)).toEqual(expected);
  });
});

describe('migration lint: what it reports about each finding', () => {
  it('names the migration, the file, the line of the statement (after comments, multi-byte text) and the rows', async () => {
    const report = await lint({
      '20260301_drop':
        "-- migrate:up\nCREATE TABLE notes (t text DEFAULT 'ação');\n\n-- the CPF moves to the vault\n/* DPO approved */\nALTER TABLE patients\n  DROP COLUMN cpf;\n-- migrate:down\nDROP TABLE patients;\n",
    });
    expect(report.findings).toEqual([
      {
        migration: '20260301_drop',
        file: 'db/20260301_drop.sql',
        line: 6,
        kind: 'drop-column',
        object: 'public.patients',
        column: 'cpf',
        rows: 200,
      },
    ]);
  });

  it('SQL PostgreSQL rejects is reported with its line, and nothing in that migration counts as checked', async () => {
    const report = await lint({ ok: 'SELECT 1;', bad: 'CREATE TABLE a (id int);\n\nDROP TABEL patients;\n' });
    expect(report.findings).toEqual([]);
    expect(report.unparsed).toEqual([
      { migration: 'bad', file: 'db/bad.sql', line: 3, error: 'syntax error at or near "TABEL"' },
    ]);
  });

  it('a migration with only comments has nothing to check; JavaScript migrations are listed as not SQL', async () => {
    const dir = workspace({
      'm/1.sql': '-- migrate:up\n-- nothing yet\n',
      'm/2.js': 'exports.up = () => {};',
    });
    const report = await lintMigrations(
      [
        { name: '1', file: join(dir, 'm/1.sql'), display: 'm/1.sql' },
        { name: '2', file: join(dir, 'm/2.js'), display: 'm/2.js' },
      ],
      {},
    );
    expect(report).toEqual({ findings: [], unparsed: [], notSql: ['2'] });
  });

  it('only the up part runs: dbmate and node-pg-migrate down sections are left out, lines kept', () => {
    expect(upSection('-- migrate:up\nA;\n-- migrate:down\nB;')).toBe('\nA;\n');
    expect(upSection('-- Up Migration\nA;\n-- Down Migration\nB;')).toBe('-- Up Migration\nA;\n');
  });

  it('every kind the lint can report is judged by exactly one rule of builtin:db-migrate', () => {
    const policy = JSON.parse(readFileSync('policies/db-migrate.json', 'utf8')) as {
      rules: { id: string; schema: unknown }[];
    };
    const owners = (kind: string) =>
      policy.rules.filter((r) => JSON.stringify(r.schema).includes(`"${kind}"`)).map((r) => r.id);
    for (const kind of FINDING_KINDS) expect([kind, owners(kind).length]).toEqual([kind, 1]);
  });
});
