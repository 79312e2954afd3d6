import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clientEnv, type DbTarget, withDatabase } from '../db/connection.js';
import { migrationState } from '../db/migration-state.js';
import {
  connectClient,
  databaseSize,
  ownObjects,
  rowCounts,
  serverVersion,
  withClient,
} from '../db/queries.js';
import { findPgTool, type PgTool, probePgTools } from '../db/tools.js';
import { folderBytes, megabytes, withProgress } from '../util/progress.js';
import { checksumDir, digestOf, type FileSum } from './checksums.js';
import { type Encryption, encryptDir, prepareEncryption } from './encryption.js';
import { type BackupManifest, MANIFEST_FILE } from './manifest.js';
import { dumpDatabase, listArchive, restoreArchive } from './pg-dump.js';
import type { BackupStore } from './store.js';

/** The run a backup records, read off the run context. */
export function backupRun(ctx: {
  repository: string;
  runId: string;
  runAttempt: number;
  sha: string;
  job: string;
}): BackupManifest['run'] {
  return {
    repository: ctx.repository,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    sha: ctx.sha,
    job: ctx.job,
  };
}

export interface BackupRequest {
  target: DbTarget;
  /** RUNNER_TEMP or another private folder: the dump, the pgpass file. */
  tempDir: string;
  /** Where the repository's migration folders are, for the migration state recorded. */
  repoRoot: string;
  id: string;
  jobs: number;
  compression: number;
  verify: 'checksums' | 'restore';
  encryption: Encryption;
  store: BackupStore;
  /** The location recorded in the manifest stored with the backup; default `store.locationFor(id)`. */
  expectedLocation?: string;
  run: BackupManifest['run'];
  log: (message: string) => void;
  /** How often a long dump, test restore, encryption or upload says how far it got; default 10 s. */
  progressEveryMs?: number;
}

export interface BackupResult {
  manifest: BackupManifest;
  /** The manifest, also written next to the job's other files. */
  manifestPath: string;
  location: string;
}

/**
 * pg_dump of one consistent snapshot (its row counts taken in that same snapshot), verified (checksums,
 * the whole table of contents, optionally a full restore into a scratch database with row counts
 * compared), encrypted, and stored. Only a backup that passed all of it is returned.
 */
export async function takeBackup(req: BackupRequest): Promise<BackupResult> {
  const work = join(req.tempDir, `backup-${req.id}`);
  await rm(work, { recursive: true, force: true });
  // pg_dump creates the dump folder itself, but not its parent; 0700: the plain dump is readable by us alone.
  await mkdir(work, { recursive: true, mode: 0o700 });
  const dumpDir = join(work, 'dump');
  const client_ = await clientEnv(req.target, req.tempDir);
  try {
    return await backupWith(req, work, dumpDir, client_.env);
  } finally {
    await client_.dispose();
    // The plain dump never outlives the step on the runner's disk: not after a success (the encrypted
    // copy is stored), not after a failure (a server gone mid-dump leaves a partial plain dump behind).
    await rm(work, { recursive: true, force: true });
  }
}

async function backupWith(
  req: BackupRequest,
  work: string,
  dumpDir: string,
  env: Record<string, string>,
): Promise<BackupResult> {
  const expectedLocation = req.expectedLocation ?? req.store.locationFor(req.id);
  const createdAt = new Date();

  probePgTools('pg_dump', 'pg_restore');
  // Passphrase mode: the one-off key is sealed (scrypt, seconds, in the thread pool) while pg_dump runs.
  const keys = req.encryption.kind === 'none' ? undefined : prepareEncryption(req.encryption);
  keys?.catch(() => {});

  // A repeatable-read transaction exports its snapshot: pg_dump dumps exactly what it counts.
  // A server that never answers the connection must not hold the step (the queries themselves may be long).
  const client = await connectClient(req.target, 15_000);
  let snapshotCounts: Record<string, number>;
  let objects: number;
  let xidSnapshot: string;
  let version: { version: string; major: number };
  let sizeBytes: number;
  let migrations: BackupManifest['migrations'];
  let dumpMs: number;
  let pgDumpPath: string;
  let clientMajor: number;
  let pgRestore: PgTool;
  try {
    version = await serverVersion(client);
    const tools = Promise.all([
      findPgTool('pg_dump', version.major),
      findPgTool('pg_restore', version.major),
    ]);
    tools.catch(() => {});
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]?.s ?? '';
    // The transaction ids the dump sees as committed: a rollback finds every row written after it by
    // its xmin, in any table (see rollback/written-since.ts). No xid is assigned: the snapshot is read.
    xidSnapshot =
      (await client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]?.s ?? '';
    sizeBytes = await databaseSize(client);
    const [pgDump, restoreTool] = await tools;
    pgDumpPath = pgDump.path;
    clientMajor = pgDump.major;
    pgRestore = restoreTool;
    req.log(
      `Dumping ${req.target.database} (PostgreSQL ${version.version}, ${megabytes(sizeBytes)}) with ${req.jobs} jobs`,
    );
    const dump = withProgress(
      dumpDatabase(pgDump, { ...env }, dumpDir, { jobs: req.jobs, compression: req.compression, snapshot }),
      {
        what: 'pg_dump',
        log: req.log,
        everyMs: req.progressEveryMs,
        detail: async () => `${megabytes(await folderBytes(dumpDir))} written, compressed`,
      },
    );
    // Counted in the exported snapshot while pg_dump copies it: the same rows, in the dump's time.
    const facts = (async () => ({
      counts: await rowCounts(client),
      objects: await ownObjects(client),
      state: await migrationState(client, req.repoRoot),
    }))();
    const [dumped, counted] = await allSettledOrThrow(dump, facts);
    dumpMs = dumped.durationMs;
    snapshotCounts = counted.counts;
    objects = counted.objects;
    migrations = counted.state.map((m) => ({ tool: m.tool, applied: m.applied }));
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => {});
  }

  // The plain files' checksums, the table of contents and the encryption read the same fresh files at once.
  let stageDir = dumpDir;
  const encrypted = keys
    ? (async () => {
        stageDir = join(work, 'encrypted');
        const started = performance.now();
        await withProgress(encryptDir(dumpDir, stageDir, keys), {
          what: 'Encryption',
          log: req.log,
          everyMs: req.progressEveryMs,
          detail: async () => `${megabytes(await folderBytes(stageDir))} encrypted`,
        });
        return { started, storedFiles: await checksumDir(stageDir) };
      })()
    : undefined;
  encrypted?.catch(() => {});
  let files: FileSum[];
  let toc: string[];
  let restore: 'skipped' | 'matched' = 'skipped';
  try {
    [files, toc] = await allSettledOrThrow(checksumDir(dumpDir), listArchive(pgRestore, env, dumpDir));
    // An empty list is right only for a database that held nothing of its own in the dump's snapshot
    // (created and never deployed to): its backup restores to that same empty database. Otherwise the dump
    // lost it all.
    if (toc.length === 0 && objects > 0)
      throw new Error(
        `pg_restore --list found nothing in the dump of a database holding ${objects} objects: the backup is not usable`,
      );
    req.log(
      toc.length === 0
        ? `Dump verified: ${files.length} files; the database holds no objects of its own yet, so the backup is empty (restoring it gives back the empty database)`
        : `Dump verified: ${files.length} files, ${toc.length} table-of-contents entries`,
    );
    if (req.verify === 'restore') {
      await verifyByRestore(req, env, dumpDir, snapshotCounts, pgRestore);
      restore = 'matched';
    }
  } catch (err) {
    // Nothing may still be writing under the folder the caller removes next.
    await encrypted?.catch(() => {});
    throw err;
  }

  let storedFiles: BackupManifest['storedFiles'];
  if (encrypted) {
    const done = await encrypted;
    storedFiles = done.storedFiles;
    req.log(
      `Encrypted with age (${req.encryption.kind}) in ${Math.round(performance.now() - done.started)} ms`,
    );
  }

  const manifest: BackupManifest = {
    version: 1,
    id: req.id,
    createdAt: createdAt.toISOString(),
    finishedAt: new Date().toISOString(),
    database: { name: req.target.database, host: req.target.host, serverVersion: version.version, sizeBytes },
    tool: { pgDump: pgDumpPath, clientMajor },
    dump: {
      format: 'directory',
      jobs: req.jobs,
      compression: req.compression,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      durationMs: dumpMs,
    },
    files,
    ...(storedFiles ? { storedFiles } : {}),
    sha256: digestOf(storedFiles ?? files),
    rowCounts: snapshotCounts,
    xidSnapshot,
    migrations,
    encryption:
      req.encryption.kind === 'recipients'
        ? { kind: 'recipients', recipients: req.encryption.recipients }
        : { kind: req.encryption.kind },
    storage: { kind: req.store.kind, location: expectedLocation },
    run: req.run,
    verified: true,
    verification: { ok: true, checksums: true, tocEntries: toc.length, restore },
  };
  await writeFile(join(stageDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const { location } = await withProgress(req.store.put(req.id, stageDir), {
    what: `Storing the backup (${req.store.kind})`,
    log: req.log,
    everyMs: req.progressEveryMs,
  });
  if (location !== expectedLocation) manifest.storage.location = location;
  const manifestPath = join(req.tempDir, `${req.id}.manifest.json`);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestPath, location };
}

async function verifyByRestore(
  req: BackupRequest,
  env: Record<string, string>,
  dumpDir: string,
  expected: Record<string, number>,
  pgRestore: PgTool,
): Promise<void> {
  const scratch = `dg_verify_${randomBytes(4).toString('hex')}`;
  await withClient(req.target, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(scratch)}`));
  try {
    await withProgress(
      restoreArchive(pgRestore, { ...env, PGDATABASE: scratch }, dumpDir, { jobs: req.jobs }),
      {
        what: `Test restore into ${scratch}`,
        log: req.log,
        everyMs: req.progressEveryMs,
      },
    );
    const restored = await withClient(withDatabase(req.target, scratch), (c) => rowCounts(c));
    const diff = Object.keys({ ...expected, ...restored }).filter((t) => expected[t] !== restored[t]);
    if (diff.length) {
      throw new Error(
        `the test restore does not match the database: ${diff.map((t) => `${t} ${expected[t] ?? 0} → ${restored[t] ?? 0}`).join(', ')}`,
      );
    }
    req.log(`Test restore into ${scratch} matched every table's row count`);
  } finally {
    await withClient(req.target, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(scratch)} WITH (FORCE)`),
    ).catch(() => {});
  }
}

/**
 * Both results once both settled: a failed side does not leave the other running unawaited (a dump still
 * writing while its transaction is ended, a file still being read while the folder is removed).
 */
async function allSettledOrThrow<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
