import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { clientEnv, type DbTarget } from '../db/connection.js';
import { ownSchemas, rowCounts, serverVersion, withClient } from '../db/queries.js';
import { findPgTool, probePgTools } from '../db/tools.js';
import { megabytes, withProgress } from '../util/progress.js';
import { mismatches } from './checksums.js';
import { type Decryption, decryptDir, type SealedKey } from './encryption.js';
import { type BackupManifest, MANIFEST_FILE, readManifest } from './manifest.js';
import { listArchive, schemasOf } from './pg-dump.js';
import { replaceFromArchive } from './replace-from-archive.js';
import type { BackupStore } from './store.js';

export interface FetchedBackup {
  manifest: BackupManifest;
  /** The plain pg_dump directory, checked against the manifest's checksums. */
  dumpDir: string;
  /** Removes the fetched and decrypted files. */
  cleanup(): Promise<void>;
  /** A passphrase-encrypted backup's key file, opened (see SealedKey). */
  sealedKey?: SealedKey;
}

/** A backup brought from its store, its stored files checked against the manifest; not decrypted. */
export interface StoredBackup {
  manifest: BackupManifest;
  work: string;
  /** The files as stored (encrypted unless the manifest says none), with the manifest. */
  stored: string;
  /** Removes everything fetched, and decrypted from it, under `work`. */
  cleanup(): Promise<void>;
}

export async function getStoredBackup(
  store: BackupStore,
  location: string,
  tempDir: string,
): Promise<StoredBackup> {
  const work = join(tempDir, `fetch-${randomBytes(4).toString('hex')}`);
  const stored = join(work, 'stored');
  const cleanup = () => rm(work, { recursive: true, force: true });
  return cleanedUpOnFailure(cleanup, async () => {
    await store.get(location, stored);
    const manifest = await readManifest(join(stored, MANIFEST_FILE));
    const expected = manifest.encryption.kind === 'none' ? manifest.files : (manifest.storedFiles ?? []);
    const bad = await mismatches(stored, expected, [MANIFEST_FILE]);
    if (bad.length)
      throw damaged(manifest, manifest.encryption.kind === 'none' ? 'checksums' : 'encrypted files', bad);
    return { manifest, work, stored, cleanup };
  });
}

/** What `fn` made, or, when it fails, its error once the files fetched so far are removed. */
async function cleanedUpOnFailure<T>(cleanup: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await cleanup();
    throw err;
  }
}

const damaged = (m: BackupManifest, what: string, bad: string[]) =>
  new Error(`backup ${m.id} is damaged (${what}): ${bad.slice(0, 5).join(', ')}`);

/**
 * Checks that the backup at `location` is still there and intact (every stored file against the
 * manifest's checksums) without decrypting it; returns its manifest.
 */
export async function checkStoredBackup(
  store: BackupStore,
  location: string,
  tempDir: string,
): Promise<BackupManifest> {
  const { manifest, cleanup } = await getStoredBackup(store, location, tempDir);
  await cleanup();
  return manifest;
}

/**
 * Brings a backup from its store, checks the stored files' checksums (a corrupted or tampered file stops
 * here), decrypts, and checks the plain files' checksums too. Changes nothing in any database.
 */
export async function fetchBackup(
  store: BackupStore,
  location: string,
  tempDir: string,
  decryption: Decryption,
): Promise<FetchedBackup> {
  return decryptStoredBackup(await getStoredBackup(store, location, tempDir), decryption);
}

/** Decrypts a stored backup and checks the plain files' checksums; removes everything on failure. */
export async function decryptStoredBackup(
  { manifest, work, stored, cleanup }: StoredBackup,
  decryption: Decryption,
): Promise<FetchedBackup> {
  if (manifest.encryption.kind === 'none') return { manifest, dumpDir: stored, cleanup };
  return cleanedUpOnFailure(cleanup, async () => {
    if (decryption.kind === 'none') {
      throw new Error(
        `backup ${manifest.id} is encrypted (${manifest.encryption.kind}); give the key that decrypts it`,
      );
    }
    const plain = join(work, 'plain');
    const { sealedKey } = await decryptDir(stored, plain, decryption);
    const bad = await mismatches(plain, manifest.files, [MANIFEST_FILE]);
    if (bad.length) throw damaged(manifest, 'after decryption', bad);
    return { manifest, dumpDir: plain, cleanup, ...(sealedKey ? { sealedKey } : {}) };
  });
}

/** What a restore left: every table's rows after the COMMIT, and the archive's tables that do not match. */
export interface Replaced {
  durationMs: number;
  /** schema.table → rows, in every table of the database (the archive's and any other). */
  allRowCounts: Record<string, number>;
  /** The same, in the archive's schemas only. */
  rowCounts: Record<string, number>;
  /** Tables of the archive's schemas whose rows differ from the manifest's, as "table expected, found". */
  differing: string[];
}

/**
 * Replaces the database's content with the backup's in one transaction (see replaceFromArchive: a failed
 * restore leaves the database as it was); then every table's row count must match the manifest. The
 * caller takes the safety backup first.
 */
export async function restoreBackup(
  target: DbTarget,
  fetched: FetchedBackup,
  tempDir: string,
  progress: { log: (message: string) => void; everyMs?: number } = { log: () => {} },
): Promise<{ durationMs: number; rowCounts: Record<string, number> }> {
  const { durationMs, rowCounts, differing } = await replaceWithBackup(target, fetched, tempDir, progress);
  if (differing.length)
    throw new Error(`the restore does not match backup ${fetched.manifest.id}: ${differing.join(', ')}`);
  return { durationMs, rowCounts };
}

/**
 * restoreBackup without the throw: a mismatch found after the COMMIT is reported, for a caller that must
 * first record that the restore happened (a committed restore is never run again).
 */
export async function replaceWithBackup(
  target: DbTarget,
  fetched: FetchedBackup,
  tempDir: string,
  progress: { log: (message: string) => void; everyMs?: number } = { log: () => {} },
): Promise<Replaced> {
  probePgTools('pg_restore', 'psql');
  const { env, dispose } = await clientEnv(target, tempDir);
  try {
    return await restoreWith(target, fetched, env, progress);
  } finally {
    await dispose();
  }
}

async function restoreWith(
  target: DbTarget,
  fetched: FetchedBackup,
  env: Record<string, string>,
  progress: { log: (message: string) => void; everyMs?: number },
): Promise<Replaced> {
  const { major, present } = await withClient(target, async (c) => ({
    major: (await serverVersion(c)).major,
    present: await ownSchemas(c),
  }));
  const pgRestore = await findPgTool('pg_restore', major);
  const psql = await findPgTool('psql', major);
  const toc = await listArchive(pgRestore, env, fetched.dumpDir);
  // pg_dump dumps every schema but the journals', so a schema the archive lacks was made after the backup
  // (a migration's CREATE SCHEMA): it goes too, or the rollback would leave the release's schema behind.
  const archived = schemasOf(toc);
  const replaced = [...new Set([...archived, ...present])];
  const sent = { bytes: 0 };
  const { durationMs } = await withProgress(
    replaceFromArchive(pgRestore, psql, env, fetched.dumpDir, replaced, sent),
    {
      what: 'Restore (pg_restore into psql, one transaction)',
      ...progress,
      detail: () =>
        `${megabytes(sent.bytes)} of SQL sent, of a ${megabytes(fetched.manifest.dump.bytes)} compressed dump`,
    },
  );
  // Only the archive's schemas are compared: anything kept outside them (a journal) is not the backup's.
  const inArchive = (table: string) => archived.includes(table.split('.')[0] ?? '');
  const allRowCounts = await withClient(target, (c) => rowCounts(c));
  const counts = Object.fromEntries(Object.entries(allRowCounts).filter(([t]) => inArchive(t)));
  const expected = fetched.manifest.rowCounts;
  const differing = Object.keys({ ...expected, ...counts })
    .filter((t) => expected[t] !== counts[t])
    .map((t) => `${t} ${expected[t] ?? 0} expected, ${counts[t] ?? 0} found`);
  return { durationMs, allRowCounts, rowCounts: counts, differing };
}
