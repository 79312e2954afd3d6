import { errorMessage } from '../errors.js';
import type { JournalEntry, SafetySnapshot } from './db-journal.js';
import type { RestoreMode } from './inputs.js';
import { type Step, StepFailure, type StepOutcome } from './steps.js';
import { describeWrites, rows, rowsWere, type WritesReport } from './written-since.js';

/** The pre-deploy backup as its manifest describes it. */
export interface PreDeployBackup {
  id: string;
  location: string;
  takenAt: Date;
  /** schema.table → rows when the backup was taken. */
  rowCounts: Record<string, number>;
  /** The dump's transaction snapshot, which tells rows written after it; undefined in older manifests. */
  xidSnapshot: string | undefined;
  /** Applied migrations when the backup was taken; undefined when the manifest does not say. */
  migrations: string[] | undefined;
}

/** What the database step needs from the database and the backup store (implemented in database-ops.ts). */
export interface DatabaseOps {
  /**
   * Fetches the pre-deploy backup and checks its stored files against its manifest; reads the manifest.
   * Its decryption may still be going on (see openBackup). Changes nothing.
   */
  fetchBackup(): Promise<PreDeployBackup>;
  /** The fetched backup decrypted, its plain files checked against the manifest. Changes nothing. */
  openBackup(): Promise<void>;
  /** Applied migrations now; undefined when the database has no migrations table. */
  migrationsNow(): Promise<string[] | undefined>;
  /** schema.table → rows now in every table a backup holds (the journals are never in one). */
  rowCountsNow(): Promise<Record<string, number>>;
  /** What was inserted, updated or deleted in each table after the backup (or a safety backup). */
  writtenSince(backup: Pick<PreDeployBackup, 'takenAt' | 'rowCounts' | 'xidSnapshot'>): Promise<WritesReport>;
  /** Backs the database up as it is now, with the same machinery, store and encryption as db-migrate-backup. */
  safetyBackup(): Promise<{ id: string; location: string; snapshot: SafetySnapshot }>;
  /**
   * Replaces the database's content with the backup's, in one transaction. Once it committed it does not
   * throw for what it finds: every table's rows after the COMMIT, and the backup's tables whose rows
   * differ from its manifest (as "table expected, found"), for the step to judge after the journal.
   */
  restore(backup: PreDeployBackup): Promise<{ rowCounts: Record<string, number>; differing: string[] }>;
  /** Every run's journal entries for the backup, oldest first. */
  readJournal(backupId: string): Promise<JournalEntry[]>;
  writeJournal(entry: Omit<JournalEntry, 'at' | 'runId' | 'attempt'>): Promise<void>;
}

export interface DatabaseStepOptions {
  ops: DatabaseOps;
  mode: RestoreMode;
  migrationsApplied: boolean | undefined;
  allowDataLoss: boolean;
  log: { info(message: string): void; warning(message: string): void };
}

/** The tables with writes, for the writes-since-backup output. */
function writesByTable(report: WritesReport) {
  return report.tables
    .filter((t) => t.written > 0)
    .map((t) => ({
      table: t.table,
      rowsInBackup: t.rowsInBackup ?? null,
      rowsNow: t.rowsNow,
      insertedOrUpdated: t.changedRows ?? null,
      updatedOrDeleted: t.goneRows ?? null,
      written: t.written,
    }));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

/** Tables whose count differs from the manifest (a table missing now counts as 0 rows). */
function countMismatches(expected: Record<string, number>, now: Record<string, number>): string[] {
  const tables = new Set([...Object.keys(expected), ...Object.keys(now).filter((t) => (now[t] ?? 0) > 0)]);
  return [...tables]
    .sort()
    .filter((t) => (expected[t] ?? 0) !== (now[t] ?? 0))
    .map((t) => `${t} ${expected[t] ?? 0} in the backup, ${now[t] ?? 0} now`);
}

/**
 * What was written after the safety backup of an attempt that did not finish; fails closed ("cannot
 * tell", counted as a write) for a journal entry from before the safety backup's snapshot was recorded.
 */
async function writtenSinceFirstAttempt(ops: DatabaseOps, interrupted: JournalEntry): Promise<WritesReport> {
  const snapshot = interrupted.safetySnapshot;
  if (!snapshot)
    return {
      tables: [],
      total: 1,
      unknown: `the journal does not record what safety backup ${interrupted.safetyBackupId} holds`,
    };
  return ops.writtenSince(snapshot);
}

/**
 * Brings the database back to the pre-deploy backup. Looks first: a restore this run already finished
 * (the journal) or a database that already matches the backup is left alone. Before any change it takes
 * a safety backup and counts what was written after the pre-deploy backup; if anything was, it stops
 * unless allow-data-loss is true. After the restore it checks the row counts against the manifest.
 */
export function databaseStep(options: DatabaseStepOptions): Step {
  const { ops } = options;
  return {
    name: 'database',
    title: 'Database',
    async run(): Promise<StepOutcome> {
      let backup: PreDeployBackup;
      try {
        backup = await ops.fetchBackup();
      } catch (err) {
        throw new StepFailure(
          `The pre-deploy backup could not be fetched; nothing was changed: ${errorMessage(err)}`,
        );
      }
      // Both only read; the migrations are asked at once, though a journalled restore needs none of it.
      const [journal, migrationsNow] = await Promise.all([ops.readJournal(backup.id), ops.migrationsNow()]);
      const restored = journal.find((e) => e.state === 'restored');
      if (restored) {
        return {
          status: 'skipped',
          detail: `Backup ${backup.id} was already restored by run ${restored.runId} attempt ${restored.attempt} at ${restored.at.toISOString()} (safety backup ${restored.safetyBackupId}); a restore is never repeated: rows written since then are kept.`,
          data: {
            restoredFrom: backup.id,
            safetyBackupId: restored.safetyBackupId,
            safetyBackupLocation: restored.safetyBackupLocation,
            rowsWrittenSinceBackup: restored.rowsWritten,
          },
        };
      }
      const interrupted = journal.find((e) => e.state === 'restoring');
      const sameMigrations =
        backup.migrations !== undefined &&
        migrationsNow !== undefined &&
        sameSet(backup.migrations, migrationsNow);

      if (options.mode === 'auto' && !interrupted) {
        if (options.migrationsApplied === false) {
          return {
            status: 'skipped',
            detail:
              'migrations-applied is false: this run changed no schema, so the database keeps its data.',
          };
        }
        if (options.migrationsApplied === undefined) {
          if (backup.migrations === undefined || migrationsNow === undefined) {
            throw new StepFailure(
              'Cannot tell whether this run applied migrations: migrations-applied is empty and the backup manifest or the database has no migration state. Nothing was changed. Pass the migrations-applied output of db-migrate-backup, or set restore-database to always or never.',
            );
          }
          if (sameMigrations) {
            return {
              status: 'skipped',
              detail: `The database has the same ${migrationsNow.length} migrations applied as backup ${backup.id}: this run applied none, so the database keeps its data.`,
            };
          }
        }
      }

      // Other migrations than the backup's (the usual rollback), or an attempt to finish: the safety backup
      // is taken whatever the counts say, so its dump starts now, beside them (all three only read).
      const early = interrupted || !sameMigrations ? settled(ops.safetyBackup()) : undefined;
      const [countsNow, writes] = await bothOrThrow(
        Promise.all([ops.rowCountsNow(), ops.writtenSince(backup)]),
        early,
      );
      if (
        !interrupted &&
        sameMigrations &&
        writes.total === 0 &&
        countMismatches(backup.rowCounts, countsNow).length === 0
      ) {
        return {
          status: 'skipped',
          detail: `The database already matches backup ${backup.id}: same migrations, same row counts in ${Object.keys(backup.rowCounts).length} tables, no rows newer than the backup.`,
          data: { restoredFrom: backup.id, rowsWrittenSinceBackup: 0 },
        };
      }

      const fresh = early ? await unsettle(early) : await ops.safetyBackup();
      options.log.info(`Safety backup of the database before the restore: ${fresh.id} (${fresh.location}).`);
      // The database before the FIRST attempt is the one to keep naming: a later safety backup may hold
      // what an interrupted attempt left behind.
      const safety = interrupted
        ? {
            id: interrupted.safetyBackupId,
            location: interrupted.safetyBackupLocation,
            snapshot: interrupted.safetySnapshot,
          }
        : fresh;
      // Rows written between the first attempt and this one are in no safety backup but this run's.
      const later = interrupted ? await writtenSinceFirstAttempt(ops, interrupted) : undefined;
      const written = describeWrites(writes);
      const facts = {
        safetyBackupId: safety.id,
        safetyBackupLocation: safety.location,
        rowsWrittenSinceBackup: writes.total,
        writesSinceBackup: writesByTable(writes),
        ...(later?.total
          ? {
              laterSafetyBackupId: fresh.id,
              laterSafetyBackupLocation: fresh.location,
              rowsWrittenSinceFirstAttempt: later.total,
            }
          : {}),
      };
      if (writes.total > 0 && !options.allowDataLoss && !interrupted) {
        throw new StepFailure(
          `At least ${rowsWere(writes.total)} written after backup ${backup.id} (taken ${backup.takenAt.toISOString()}): ${written}. Nothing was restored. ` +
            `The database as it is now is in safety backup ${safety.id}. Set allow-data-loss to true to restore anyway (those rows stay in the safety backup), or carry them over by hand and re-run.`,
          facts,
        );
      }
      const laterWritten = later?.total ? describeWrites(later) : '';
      if (interrupted && later?.total && !options.allowDataLoss) {
        throw new StepFailure(
          `At least ${rowsWere(later.total)} written after safety backup ${safety.id}, which run ${interrupted.runId} attempt ${interrupted.attempt} took before its restore of backup ${backup.id} that did not finish: ${laterWritten}. Nothing was restored. ` +
            `Those rows are in safety backup ${fresh.id} (the database as it is now); the database before the first attempt stays in ${safety.id}. Set allow-data-loss to true to restore anyway, or carry them over by hand and re-run.`,
          facts,
        );
      }
      if (interrupted) {
        options.log.warning(
          `Run ${interrupted.runId} attempt ${interrupted.attempt} started restoring backup ${backup.id} and did not finish; the database before it is in safety backup ${safety.id}, the database as it is now in ${fresh.id}. Restoring again.`,
        );
      }
      // Decrypted alongside the checks and the safety backup; nothing is changed before it is complete.
      try {
        await ops.openBackup();
      } catch (err) {
        throw new StepFailure(
          `The pre-deploy backup could not be decrypted and checked; nothing was restored: ${errorMessage(err)}`,
          facts,
        );
      }
      await ops.writeJournal({
        backupId: backup.id,
        state: 'restoring',
        safetyBackupId: safety.id,
        safetyBackupLocation: safety.location,
        safetySnapshot: safety.snapshot,
        rowsWritten: writes.total,
      });
      let after: Awaited<ReturnType<DatabaseOps['restore']>>;
      try {
        after = await ops.restore(backup);
      } catch (err) {
        throw new StepFailure(
          `Restoring backup ${backup.id} failed: ${errorMessage(err)}. The restore runs in one transaction, so the database is as it was before it. The database before the first restore attempt is in safety backup ${safety.id} (${safety.location}). Fix the cause and re-run.`,
          facts,
        );
      }
      // Journalled as soon as the restore committed: a re-run must never restore again over newer writes.
      await ops.writeJournal({
        backupId: backup.id,
        state: 'restored',
        safetyBackupId: safety.id,
        safetyBackupLocation: safety.location,
        safetySnapshot: safety.snapshot,
        rowsWritten: writes.total,
      });

      // Counted once the restore committed, by the restore itself.
      const named = new Set(after.differing.map((d) => d.split(' ')[0]));
      const mismatches = [
        ...after.differing,
        ...countMismatches(backup.rowCounts, after.rowCounts).filter((m) => !named.has(m.split(' ')[0])),
      ];
      if (mismatches.length > 0) {
        throw new StepFailure(
          `Backup ${backup.id} was restored, but row counts differ from its manifest: ${mismatches.join('; ')}. The database before the restore is in safety backup ${safety.id}.`,
          { ...facts, restoredFrom: backup.id },
        );
      }
      const migrationsAfter = await ops.migrationsNow();
      if (backup.migrations && migrationsAfter && !sameSet(backup.migrations, migrationsAfter)) {
        throw new StepFailure(
          `Backup ${backup.id} was restored, but the applied migrations differ from its manifest. The database before the restore is in safety backup ${safety.id}.`,
          { ...facts, restoredFrom: backup.id },
        );
      }
      const lost =
        (writes.total > 0
          ? ` At least ${rows(writes.total)} written after the backup (${written}) ${writes.total === 1 ? 'is' : 'are'} kept in the safety backup only.`
          : '') +
        (later?.total
          ? ` At least ${later.total} of them, written after the first attempt's safety backup (${laterWritten}), ${later.total === 1 ? 'is' : 'are'} kept in safety backup ${fresh.id} only.`
          : '');
      return {
        status: 'done',
        detail: `Restored backup ${backup.id} (taken ${backup.takenAt.toISOString()}) after safety backup ${safety.id}; row counts of ${Object.keys(backup.rowCounts).length} tables match the manifest.${lost}`,
        data: { ...facts, restoredFrom: backup.id },
      };
    },
  };
}

type Settled<T> = Promise<PromiseSettledResult<T>>;

/** A promise that never rejects, so it may wait while other work fails (see bothOrThrow). */
function settled<T>(p: Promise<T>): Settled<T> {
  return p.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

async function unsettle<T>(p: Settled<T>): Promise<T> {
  const r = await p;
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** `main`'s result; when it fails, its error only once `beside` has ended too (no dump left running). */
async function bothOrThrow<T>(main: Promise<T>, beside: Settled<unknown> | undefined): Promise<T> {
  try {
    return await main;
  } catch (err) {
    await beside;
    throw err;
  }
}
