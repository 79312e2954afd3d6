import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { PathStore } from '../../src/backup/path-store.js';
import { fetchBackup, restoreBackup } from '../../src/backup/restore-backup.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { parseDatabaseUrl } from '../../src/db/connection.js';

let pgc: PgCluster;
const temp = () => mkdtempSync(join(tmpdir(), 'dg-backup-'));
const run = { repository: 'neonpro/app', runId: '42', runAttempt: 1, sha: 'abc' };

beforeAll(async () => {
  pgc = await startPostgres();
  await pgc.createDatabase('clinic');
  await pgc.psql(
    `CREATE TABLE patients (id serial PRIMARY KEY, name text NOT NULL, updated_at timestamptz DEFAULT now());
     INSERT INTO patients (name) SELECT 'p' || g FROM generate_series(1, 500) g;
     CREATE SCHEMA audit; CREATE TABLE audit.events (id bigserial PRIMARY KEY, what text);
     INSERT INTO audit.events (what) SELECT 'e' || g FROM generate_series(1, 120) g;`,
    'clinic',
  );
});
afterAll(async () => {
  await pgc?.stop();
});

// age's passphrase mode runs scrypt at its full work factor several times in each test (as the product
// must): seconds on an idle machine, over a minute on a loaded 2-core one.
describe('backup, verify, encrypt, store, fetch, decrypt, restore', { timeout: 180_000 }, () => {
  it('round-trips through a path store with a passphrase, and the restore brings back the rows and drops what came later', async () => {
    const target = parseDatabaseUrl('database-url', pgc.url('clinic'));
    const storeDir = temp();
    const store = new PathStore(storeDir);
    const tempDir = temp();
    const logs: string[] = [];
    const { manifest, location } = await takeBackup({
      target,
      tempDir,
      repoRoot: temp(),
      id: 'clinic-42-1',
      jobs: 2,
      compression: 5,
      verify: 'restore',
      encryption: { kind: 'passphrase', passphrase: 'correct horse battery staple' },
      store,
      expectedLocation: `path:${join(storeDir, 'clinic-42-1')}`,
      run,
      log: (m) => logs.push(m),
      // Every long part says how far it got (10 s in the actions; shorter here so this small one does).
      progressEveryMs: 5,
    });
    expect(manifest.rowCounts).toEqual({ 'audit.events': 120, 'public.patients': 500 });
    expect(manifest.verification).toEqual({
      ok: true,
      checksums: true,
      tocEntries: expect.any(Number),
      restore: 'matched',
    });
    expect(location).toBe(`path:${join(storeDir, 'clinic-42-1')}`);
    const stored = readdirSync(join(storeDir, 'clinic-42-1'));
    expect(stored.filter((f) => f !== 'manifest.json').every((f) => f.endsWith('.age'))).toBe(true);
    expect(logs.join('\n')).toMatch(/Test restore into dg_verify_\w+ matched/);
    expect(logs.join('\n')).toMatch(/^pg_dump: still running \(\d+ s; \d+\.\d MB written, compressed\)$/m);
    expect(logs.join('\n')).toMatch(/^Encryption: still running \(\d+ s; \d+\.\d MB encrypted\)$/m);

    // After the "deploy": a migration adds a table, rows are written and deleted.
    await pgc.psql(
      `CREATE TABLE consents (id int); INSERT INTO consents VALUES (1); DELETE FROM patients WHERE id <= 10;`,
      'clinic',
    );
    const fetched = await fetchBackup(store, location, tempDir, {
      kind: 'passphrase',
      passphrase: 'correct horse battery staple',
    });
    const restoreLogs: string[] = [];
    const restored = await restoreBackup(target, fetched, tempDir, {
      log: (m) => restoreLogs.push(m),
      everyMs: 5,
    });
    expect(restoreLogs.join('\n')).toMatch(
      /^Restore \(pg_restore into psql, one transaction\): still running \(\d+ s; \d+\.\d MB of SQL sent, of a \d+\.\d MB compressed dump\)$/m,
    );
    await fetched.cleanup();
    expect(restored.rowCounts).toEqual({ 'audit.events': 120, 'public.patients': 500 });
    expect(
      await pgc.psql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'consents'",
        'clinic',
      ),
    ).toBe('0');
  });

  it('detects a corrupted file by its checksum and refuses the wrong passphrase', async () => {
    const target = parseDatabaseUrl('database-url', pgc.url('clinic'));
    const storeDir = temp();
    const store = new PathStore(storeDir);
    const tempDir = temp();
    const { location } = await takeBackup({
      target,
      tempDir,
      repoRoot: temp(),
      id: 'clinic-43-1',
      jobs: 1,
      compression: 1,
      verify: 'checksums',
      encryption: { kind: 'passphrase', passphrase: 'right' },
      store,
      expectedLocation: `path:${join(storeDir, 'clinic-43-1')}`,
      run,
      log: () => {},
    });
    await expect(
      fetchBackup(store, location, tempDir, { kind: 'passphrase', passphrase: 'wrong' }),
    ).rejects.toThrow();
    const victim = readdirSync(join(storeDir, 'clinic-43-1')).find(
      (f) => f.endsWith('.age') && f !== 'toc.dat.age',
    );
    const path = join(storeDir, 'clinic-43-1', victim ?? '');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    await expect(
      fetchBackup(store, location, tempDir, { kind: 'passphrase', passphrase: 'right' }),
    ).rejects.toThrow(/is damaged \(encrypted files\): .*checksum differs/);
  });
});
