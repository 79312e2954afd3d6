import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { runBackupId } from '../backup/backup-id.js';
import type { Encryption, SealedKey } from '../backup/encryption.js';
import { formatBackupLocation } from '../backup/location.js';
import { openStore, storeBeside } from '../backup/open-store.js';
import { BackupCheckError, proveBackupOpens } from '../backup/prove-opens.js';
import {
  decryptStoredBackup,
  type FetchedBackup,
  getStoredBackup,
  replaceWithBackup,
  type StoredBackup,
} from '../backup/restore-backup.js';
import { backupRun, takeBackup } from '../backup/take-backup.js';
import { withoutJournals } from '../db/journal.js';
import { MIGRATION_TABLES, migrationState } from '../db/migration-state.js';
import { rowCounts, userTables, withClient } from '../db/queries.js';
import { probePgTools } from '../db/tools.js';
import { errorMessage, InputError } from '../errors.js';
import type { RunContext } from '../runner/runner.js';
import { withProgress } from '../util/progress.js';
import type { DatabaseOps, PreDeployBackup } from './database-step.js';
import { readJournal, writeJournal } from './db-journal.js';
import { decryptionFor, type RollbackInputs } from './inputs.js';
import { writtenSinceBackup } from './written-since.js';

const MIGRATION_TABLE_NAMES = new Set(MIGRATION_TABLES.map((t) => t.table));
const isMigrationTable = (table: string) => MIGRATION_TABLE_NAMES.has(table.split('.').pop() ?? '');

/** Says which input is wrong when the pre-deploy backup cannot be found or opened. */
function inputErrorFor(err: unknown, keyInput: string, location: string): unknown {
  if (err instanceof BackupCheckError && err.about === 'key')
    return new InputError(
      keyInput,
      err.message,
      keyInput === 'backup-identity'
        ? "Give the identity whose public key is in db-migrate-backup's backup-recipients."
        : 'Give the passphrase db-migrate-backup encrypted with (its encryption-key), or for a backup encrypted to backup-recipients the identity in backup-identity.',
    );
  if (err instanceof InputError) return err;
  return new InputError(
    'backup-location',
    `${location} cannot be read as a backup: ${errorMessage(err)}`,
    'Pass the backup-location output of the db-migrate-backup step that backed up this database.',
  );
}

/** The database step's view of the database and the backup store, over db-migrate-backup's machinery. */
export async function databaseOps(
  inputs: RollbackInputs,
  ctx: RunContext,
  log: (message: string) => void,
): Promise<DatabaseOps & { checkBackup(): Promise<void>; dispose(): Promise<void> }> {
  const db = inputs.database;
  const target = db.target;
  if (!target) throw new Error('databaseOps needs a database-url');
  const tempDir = `${ctx.runnerTemp}/deploy-gates`;
  if (!db.backupLocation) throw new Error('databaseOps needs a backup-location');
  const location = formatBackupLocation(db.backupLocation);
  const storeConfig = storeBeside(db.backupLocation, inputs.github.token || undefined);
  const store = await openStore(storeConfig);
  // The proof, the safety backup and the restore need all three.
  probePgTools('pg_dump', 'pg_restore', 'psql');
  let stored: StoredBackup | undefined;
  let fetching: Promise<FetchedBackup> | undefined;
  /** Passphrase mode: the pre-deploy backup's key file, as the proof opened it. */
  let sealedKey: SealedKey | undefined;
  const withPg = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(target, fn);
  const storedOnce = async () => {
    stored ??= await withProgress(getStoredBackup(store, location, tempDir), {
      what: `Fetching backup ${location}`,
      log,
    });
    return stored;
  };
  const keyFor = (backup: StoredBackup) => decryptionFor(backup.manifest.encryption.kind, db);
  const fetchOnce = () => {
    fetching ??= storedOnce().then((backup) =>
      withProgress(decryptStoredBackup(backup, keyFor(backup).decryption), {
        what: `Decrypting backup ${backup.manifest.id}`,
        log,
      }),
    );
    return fetching;
  };
  return {
    /**
     * Before the app step changes production: the backup is there, its manifest readable, the one asked
     * for, and the key opens it. A typo fails here with production untouched.
     */
    async checkBackup() {
      let keyInput = 'encryption-key';
      try {
        const backup = await storedOnce();
        const key = keyFor(backup);
        keyInput = key.keyInput;
        if (db.backupId && backup.manifest.id !== db.backupId)
          throw new InputError(
            'backup-id',
            `is ${db.backupId}, but the backup at ${location} is ${backup.manifest.id}`,
            'Pass the backup-id and backup-location outputs of the same db-migrate-backup step.',
          );
        ({ sealedKey } = await proveBackupOpens(backup, key.decryption));
      } catch (err) {
        throw inputErrorFor(err, keyInput, location);
      }
      // Decrypted and checked while the app step runs: it changes nothing, and the database step starts
      // with it. Not when the step will skip the database anyway; a failure is the database step's.
      if (!(db.restore === 'auto' && db.migrationsApplied === false)) fetchOnce().catch(() => {});
    },
    /** The decrypted dump is patient data: it must not outlive the step (nor be written after the cleanup). */
    async dispose() {
      await fetching?.catch(() => {});
      await stored?.cleanup();
    },
    async fetchBackup(): Promise<PreDeployBackup> {
      // The decryption goes on while the step decides, counts and takes the safety backup.
      fetchOnce().catch(() => {});
      const m = (await storedOnce()).manifest;
      if (db.backupId && m.id !== db.backupId)
        throw new Error(`the backup at ${location} is ${m.id}, not ${db.backupId}`);
      return {
        id: m.id,
        location,
        takenAt: new Date(m.createdAt),
        rowCounts: withoutJournals(m.rowCounts),
        xidSnapshot: m.xidSnapshot,
        migrations: m.migrations.length ? m.migrations.flatMap((x) => x.applied) : undefined,
      };
    },
    async openBackup() {
      await fetchOnce();
    },
    async migrationsNow() {
      const state = await withPg((c) => migrationState(c, ctx.workspace));
      return state.length ? state.flatMap((s) => s.applied) : undefined;
    },
    async rowCountsNow() {
      return withPg((c) => rowCounts(c));
    },
    async writtenSince(backup) {
      return withPg(async (c) => {
        // The migration tools' own tables record the migrations being undone, not data anyone wrote.
        const tables = (await userTables(c)).filter((t) => !isMigrationTable(t));
        return writtenSinceBackup(c, {
          backupTakenAt: backup.takenAt,
          backupSnapshot: backup.xidSnapshot,
          countsInBackup: backup.rowCounts,
          tables,
          timestampColumns: db.timestampColumns,
        });
      });
    },
    async safetyBackup() {
      const manifest = stored?.manifest;
      // Same machinery, store and encryption as the pre-deploy backup: nothing is thrown away unrecoverably.
      // With a passphrase, its backup-key.age as it is: the passphrase just opened it, so the safety backup
      // opens with the same passphrase and commands, without a second scrypt.
      const encryption: Encryption =
        manifest?.encryption.kind === 'recipients'
          ? { kind: 'recipients', recipients: manifest.encryption.recipients ?? [] }
          : db.encryptionKey
            ? {
                kind: 'passphrase',
                passphrase: db.encryptionKey,
                ...(sealedKey ? { sealedKey } : {}),
              }
            : { kind: 'none' };
      const id = runBackupId(target, ctx, 'safety');
      const result = await takeBackup({
        target,
        tempDir,
        repoRoot: ctx.workspace,
        id,
        jobs: availableParallelism(),
        // The safety backup is on the incident's critical path and rarely read: the fastest gzip level,
        // the same format and restore commands; a larger file is the only price.
        compression: 1,
        verify: 'checksums',
        encryption,
        store,
        run: backupRun(ctx),
        log: (m) => log(`Safety backup: ${m}`),
      });
      const m = result.manifest;
      return {
        id,
        location: result.location,
        snapshot: {
          takenAt: new Date(m.createdAt),
          xidSnapshot: m.xidSnapshot ?? '',
          rowCounts: withoutJournals(m.rowCounts),
        },
      };
    },
    async restore() {
      const { allRowCounts, differing } = await replaceWithBackup(target, await fetchOnce(), tempDir, {
        log,
      });
      return { rowCounts: allRowCounts, differing };
    },
    async readJournal(backupId) {
      return withPg((c) => readJournal(c, backupId));
    },
    async writeJournal(entry) {
      await withPg((c) => writeJournal(c, { ...entry, runId: ctx.runId, attempt: ctx.runAttempt }));
    },
  };
}
