import { availableParallelism } from 'node:os';
import type pg from 'pg';
import type { Decryption, Encryption } from '../backup/encryption.js';
import { PathStore } from '../backup/path-store.js';
import { type FetchedBackup, fetchBackup, restoreBackup } from '../backup/restore-backup.js';
import type { BackupStore } from '../backup/store.js';
import { takeBackup } from '../backup/take-backup.js';
import { parseDatabaseUrl } from '../db/connection.js';
import { withoutJournals } from '../db/journal.js';
import { MIGRATION_TABLES, migrationState } from '../db/migration-state.js';
import { rowCounts, withClient } from '../db/queries.js';
import type { RunContext } from '../runner/runner.js';
import type { DatabaseOps, PreDeployBackup } from './database-step.js';
import { readJournal, writeJournal } from './db-journal.js';
import type { RollbackInputs } from './inputs.js';
import { writtenSinceBackup } from './written-since.js';

const MIGRATION_TABLE_NAMES = new Set(MIGRATION_TABLES.map((t) => t.table));
const isMigrationTable = (table: string) => MIGRATION_TABLE_NAMES.has(table.split('.').pop() ?? '');

/** A store able to read `location`: the same kind db-migrate-backup wrote it with. */
export async function storeFor(location: string, storage: string, githubToken: string): Promise<BackupStore> {
  if (location.startsWith('path:') || storage === 'path') return new PathStore('/');
  const { ArtifactStore } = await import('../backup/artifact-store.js');
  // The token reads a backup that another run stored (a manual rollback of an earlier playbook run).
  return new ArtifactStore(githubToken ? { token: githubToken } : {});
}

/** The database step's view of the database and the backup store, over db-migrate-backup's machinery. */
export async function databaseOps(
  inputs: RollbackInputs,
  ctx: RunContext,
): Promise<DatabaseOps & { dispose(): Promise<void> }> {
  const db = inputs.database;
  const target = parseDatabaseUrl('database-url', db.url);
  const tempDir = `${ctx.runnerTemp}/deploy-gates`;
  const store = await storeFor(db.backupLocation, db.backupStorage, inputs.github.token);
  const decryption: Decryption = db.backupIdentity
    ? {
        kind: 'identities',
        identities: db.backupIdentity.split(/\s+/).filter((l) => l.startsWith('AGE-SECRET-KEY-')),
      }
    : db.encryptionKey
      ? { kind: 'passphrase', passphrase: db.encryptionKey }
      : { kind: 'none' };
  let fetched: FetchedBackup | undefined;
  const withPg = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(target, fn);
  const fetchOnce = async () => {
    fetched ??= await fetchBackup(store, db.backupLocation, tempDir, decryption);
    return fetched;
  };
  return {
    /** The decrypted dump is patient data: it must not outlive the step. */
    async dispose() {
      await fetched?.cleanup();
    },
    async fetchBackup(): Promise<PreDeployBackup> {
      fetched = await fetchOnce();
      const m = fetched.manifest;
      if (db.backupId && m.id !== db.backupId)
        throw new Error(`the backup at ${db.backupLocation} is ${m.id}, not ${db.backupId}`);
      return {
        id: m.id,
        location: db.backupLocation,
        takenAt: new Date(m.createdAt),
        rowCounts: withoutJournals(m.rowCounts),
        xidSnapshot: m.xidSnapshot,
        migrations: m.migrations.length ? m.migrations.flatMap((x) => x.applied) : undefined,
      };
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
        const tables = Object.keys(await rowCounts(c)).filter((t) => !isMigrationTable(t));
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
      // Same machinery, store and encryption as the pre-deploy backup: nothing is thrown away unrecoverably.
      const encryption: Encryption =
        fetched?.manifest.encryption.kind === 'recipients'
          ? { kind: 'recipients', recipients: fetched.manifest.encryption.recipients ?? [] }
          : db.encryptionKey
            ? { kind: 'passphrase', passphrase: db.encryptionKey }
            : { kind: 'none' };
      const id = `${target.database}-safety-${ctx.runId}-${ctx.runAttempt}`.replace(/[^A-Za-z0-9._-]/g, '-');
      const root = db.backupLocation.startsWith('path:')
        ? db.backupLocation.slice(5).replace(/\/[^/]+$/, '')
        : undefined;
      const safetyStore = root ? new PathStore(root) : store;
      const result = await takeBackup({
        target,
        tempDir,
        repoRoot: ctx.workspace,
        id,
        jobs: availableParallelism(),
        compression: 6,
        verify: 'checksums',
        encryption,
        store: safetyStore,
        expectedLocation: root ? `path:${root}/${id}` : `artifact:${ctx.runId}/${id}`,
        run: {
          repository: ctx.repository,
          runId: ctx.runId,
          runAttempt: ctx.runAttempt,
          sha: ctx.sha,
          job: ctx.job,
        },
        log: () => {},
      });
      return { id, location: result.location };
    },
    async restore() {
      await restoreBackup(target, await fetchOnce(), tempDir);
    },
    async readJournal(backupId) {
      return withPg((c) => readJournal(c, backupId));
    },
    async writeJournal(entry) {
      await withPg((c) => writeJournal(c, { ...entry, runId: ctx.runId, attempt: ctx.runAttempt }));
    },
  };
}
