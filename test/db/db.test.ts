import { readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { clientEnv, connectionString, parseDatabaseUrl, withDatabase } from '../../src/db/connection.js';
import {
  ensureJournals,
  MIGRATE_JOURNAL,
  ROLLBACK_JOURNAL,
  tableExists,
  withoutJournals,
} from '../../src/db/journal.js';
import { rowCounts, serverVersion, withClient } from '../../src/db/queries.js';
import { InputError } from '../../src/errors.js';

describe('parseDatabaseUrl', () => {
  it('reads every part, decoded, and keeps the query parameters', () => {
    expect(
      parseDatabaseUrl('database-url', 'postgres://app%40ci:p%3Ass%2Fw@[::1]:6543/my%20db?sslmode=require'),
    ).toEqual({
      host: '::1',
      port: 6543,
      user: 'app@ci',
      password: 'p:ss/w',
      database: 'my db',
      params: { sslmode: 'require' },
    });
  });

  it('defaults the port and the user', () => {
    expect(parseDatabaseUrl('database-url', 'postgresql://db.internal/app')).toMatchObject({
      host: 'db.internal',
      port: 5432,
      user: 'postgres',
      password: '',
    });
  });

  it.each([
    ['not a URL', 'the hunter2 db', 'is not a URL'],
    ['another scheme', 'mysql://u:hunter2@host/db', 'has the scheme "mysql:"'],
    ['no database', 'postgresql://u:hunter2@host', 'names no host or no database'],
  ])('%s is an input error that never quotes the value', (_, raw, problem) => {
    const err = (() => {
      try {
        parseDatabaseUrl('database-url', raw);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ input: 'database-url', problem });
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('connectionString gives back a URL that parses to the same target', () => {
    const t = parseDatabaseUrl('x', 'postgresql://a%3Ab:p%40%3A%2F@[fe80::1]:5433/d%2Fb?sslmode=verify-full');
    expect(parseDatabaseUrl('x', connectionString(t))).toEqual(t);
    expect(withDatabase(t, 'other')).toEqual({ ...t, database: 'other' });
  });
});

describe('clientEnv', () => {
  it('passes the password through a 0600 pgpass file, deleted by dispose', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-pgpass-'));
    const t = parseDatabaseUrl('x', 'postgresql://u:pa%3Ass@h:5433/d?sslmode=require&application_name=dg');
    const { env, dispose } = await clientEnv(t, dir);
    expect(env).toMatchObject({
      PGHOST: 'h',
      PGPORT: '5433',
      PGUSER: 'u',
      PGDATABASE: 'd',
      PGSSLMODE: 'require',
      PGAPPNAME: 'dg',
    });
    expect(Object.values(env).join('\n')).not.toContain('pa:ss');
    const file = env.PGPASSFILE ?? '';
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('h:5433:*:u:pa\\:ss\n');
    await dispose();
    expect(() => statSync(file)).toThrow();
  });
});

describe('against PostgreSQL', () => {
  let pg: PgCluster;
  beforeAll(async () => {
    pg = await startPostgres();
    await pg.createDatabase('app');
    await pg.psql(
      'CREATE TABLE patients (id int); INSERT INTO patients SELECT generate_series(1, 7); CREATE SCHEMA audit; CREATE TABLE audit.log (id int);',
      'app',
    );
  });
  afterAll(async () => {
    await pg?.stop();
  });

  const target = () => parseDatabaseUrl('database-url', pg.url('app'));

  it('reads the server version and exact row counts of user tables', async () => {
    const { version, major, counts } = await withClient(target(), async (c) => ({
      ...(await serverVersion(c)),
      counts: await rowCounts(c),
    }));
    expect(major).toBeGreaterThanOrEqual(12);
    expect(version.startsWith(String(major))).toBe(true);
    expect(counts).toEqual({ 'audit.log': 0, 'public.patients': 7 });
  });

  it('the journals are created once, idempotently, and never counted', async () => {
    await withClient(target(), async (c) => {
      expect(await tableExists(c, MIGRATE_JOURNAL)).toBe(false);
      await ensureJournals(c);
      await ensureJournals(c);
      expect(await tableExists(c, MIGRATE_JOURNAL)).toBe(true);
      expect(await tableExists(c, ROLLBACK_JOURNAL)).toBe(true);
      await c.query(
        `INSERT INTO ${MIGRATE_JOURNAL} (run_id, attempt, backup_id, location, applied_before) VALUES ('1', 1, 'b', 'path:/b', '[]')`,
      );
      expect(await rowCounts(c, ['audit.log'])).toEqual({ 'public.patients': 7 });
    });
    expect(withoutJournals({ 'deploy_gates.migrate_journal': 1, 'public.patients': 7 })).toEqual({
      'public.patients': 7,
    });
  });

  it('a wrong password fails the connection without the password in the message', async () => {
    const wrong = { ...target(), password: 'definitely-wrong-pw' };
    const err = await withClient(wrong, async () => undefined).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/password authentication failed/);
    expect((err as Error).message).not.toContain('definitely-wrong-pw');
  });
});
