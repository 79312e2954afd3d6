import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPgBinDir, type PgCluster, sandboxRoot, startPostgres } from '../../sandbox/postgres/cluster.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    // This one runs initdb itself; the clusters below are copies of the shared template.
    process.env.PG_SANDBOX_TEMPLATE = '0';
    try {
      cluster = await startPostgres();
    } finally {
      delete process.env.PG_SANDBOX_TEMPLATE;
    }
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves over TCP on 127.0.0.1 with scram-sha-256 password auth', async () => {
    expect(cluster.host).toBe('127.0.0.1');
    expect(cluster.url()).toBe(
      `postgresql://postgres:${encodeURIComponent(cluster.password)}@127.0.0.1:${cluster.port}/postgres`,
    );
    const [row] = await query<{ method: string; addr: string; fsync: string }>(
      cluster.url(),
      `SELECT a.auth_method AS method, host(inet_server_addr()) AS addr, current_setting('fsync') AS fsync
         FROM pg_hba_file_rules a WHERE a.type = 'host' LIMIT 1`,
    );
    expect(row).toEqual({ method: 'scram-sha-256', addr: '127.0.0.1', fsync: 'off' });
  });

  it('rejects a wrong password', async () => {
    const wrong = cluster.url().replace(encodeURIComponent(cluster.password), 'wrong');
    await expect(query(wrong, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  });

  it('creates databases and runs psql in them', async () => {
    await cluster.createDatabase('app "one"');
    expect(await cluster.psql('SELECT current_database(); SELECT 1 + 1;', 'app "one"')).toBe('app "one"\n2');
    const rows = await query<{ db: string }>(cluster.url('app "one"'), 'SELECT current_database() AS db');
    expect(rows).toEqual([{ db: 'app "one"' }]);
    await expect(cluster.psql('SELECT * FROM missing_table')).rejects.toThrow(/missing_table/);
  });

  it('keeps data across a restart, on the same port', async () => {
    await cluster.createDatabase('durable');
    await cluster.psql("CREATE TABLE t (v text); INSERT INTO t VALUES ('kept');", 'durable');
    const port = cluster.port;
    await cluster.restart();
    expect(cluster.port).toBe(port);
    expect(await cluster.psql('SELECT v FROM t', 'durable')).toBe('kept');
  });

  it('runs the server as a non-root user (initdb and postgres refuse root)', async () => {
    const pid = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    expect(uid).not.toBe(0);
  });
});

describe('several clusters, kill and stop', () => {
  let a: PgCluster;
  let b: PgCluster;
  let parent: string;
  // Every cluster that started, so one failing to start does not leave the other running.
  let clusters: PgCluster[] = [];
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'pg-contract-'));
    // mkdtemp makes it 0700; as root the server runs as another user, which must be able to enter it.
    await chmod(parent, 0o755);
    const started = await Promise.allSettled([
      startPostgres(),
      startPostgres({ superuserPassword: 'p@ss:w/rd%?#', dataDir: join(parent, 'nested', 'data') }),
    ]);
    clusters = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    [a, b] = clusters as [PgCluster, PgCluster];
  });
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await rm(parent, { recursive: true, force: true });
  });

  it('copies a private initdb template, and the copy does not keep its password', async () => {
    const root = await sandboxRoot();
    const templates = readdirSync(root).filter((f) => /^pg-sandbox-template-[0-9a-f]+$/.test(f));
    expect(templates.length).toBeGreaterThan(0);
    for (const name of templates) expect(statSync(join(root, name)).mode & 0o777).toBe(0o700);
    const passwords = templates.map((name) => readFileSync(join(root, name, 'password'), 'utf8'));
    for (const password of passwords) {
      const url = a.url().replace(encodeURIComponent(a.password), encodeURIComponent(password));
      await expect(query(url, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    }
  });

  it('runs two clusters at once, each with its own port, data and password', async () => {
    expect(a.port).not.toBe(b.port);
    expect(a.dataDir).not.toBe(b.dataDir);
    expect(b.dataDir).toBe(join(parent, 'nested', 'data'));
    await a.psql('CREATE TABLE only_in_a (id int)');
    // The password has URL-reserved characters, so this also proves url() encodes it.
    expect(await query(b.url(), "SELECT to_regclass('only_in_a') AS t")).toEqual([{ t: null }]);
    expect(await query(a.url(), "SELECT to_regclass('only_in_a')::text AS t")).toEqual([{ t: 'only_in_a' }]);
  });

  it('kill cuts open connections and refuses new ones, and a restart recovers', async () => {
    const client = new pg.Client({ connectionString: a.url() });
    client.on('error', () => undefined);
    await client.connect();
    await a.kill();
    expect(readFileSync(a.logFile, 'utf8')).toContain('received immediate shutdown request');
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await expect(query(a.url(), 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(existsSync(a.dataDir)).toBe(true);
    await a.restart();
    expect(await a.psql("SELECT to_regclass('only_in_a') IS NOT NULL")).toBe('t');
  });

  it('stop shuts down and removes the data dir, including one passed in', async () => {
    await b.stop();
    expect(existsSync(b.dataDir)).toBe(false);
    expect(existsSync(b.logFile)).toBe(false);
    await expect(query(b.url(), 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await b.stop();
    await expect(b.restart()).rejects.toThrow('data dir is gone');
  });
});

describe('start failures', () => {
  it('fails with the server log when the port is taken, and leaves nothing behind', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const root = await sandboxRoot();
    const before = new Set(readdirSync(root).filter((f) => f.startsWith('pg-sandbox-')));
    try {
      await expect(startPostgres({ port })).rejects.toThrow(
        /postgres failed to start[\s\S]*Address already in use/,
      );
    } finally {
      blocker.close();
    }
    expect(readdirSync(root).filter((f) => f.startsWith('pg-sandbox-') && !before.has(f))).toEqual([]);
  });
});

describe.runIf(process.getuid?.() === 0)('as root', () => {
  it('refuses a dataDir the server user cannot reach, and says why', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pg-private-'));
    try {
      await expect(startPostgres({ dataDir: join(parent, 'data') })).rejects.toThrow(
        `The 'postgres' user cannot enter ${parent} (mode 700)`,
      );
      expect(existsSync(join(parent, 'data'))).toBe(false);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe('findPgBinDir', () => {
  it('finds the installed binaries', async () => {
    expect(existsSync(join(await findPgBinDir(), 'initdb'))).toBe(true);
  });

  it('says how to install PostgreSQL when there is none', async () => {
    await expect(
      findPgBinDir({ pgBin: undefined, libRoot: '/nonexistent', pgConfig: '/nonexistent/pg_config' }),
    ).rejects.toThrow('apt-get install postgresql');
    await expect(findPgBinDir({ pgBin: '/nonexistent' })).rejects.toThrow('PG_BIN=/nonexistent');
  });
});
