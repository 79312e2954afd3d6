import { describe, expect, it } from 'vitest';
import { type DatabaseOps, databaseStep, type PreDeployBackup } from '../../src/rollback/database-step.js';
import type { JournalEntry } from '../../src/rollback/db-journal.js';
import type { RestoreMode } from '../../src/rollback/inputs.js';
import type { StepLog } from '../../src/rollback/steps.js';

/**
 * A database in memory: tables with row counts and a migrations list, so the step's decisions can be
 * checked case by case. The step against real PostgreSQL is tested through the action bundle.
 */
function world(init: { counts: Record<string, number>; migrations: string[]; written?: number }) {
  const backup: PreDeployBackup = {
    id: 'pre-1',
    location: 'artifact://1/pre-1',
    takenAt: new Date('2026-03-10T05:00:00Z'),
    rowCounts: { 'public.patients': 10, 'public.visits': 5 },
    xidSnapshot: '100:100:',
    migrations: ['001', '002'],
  };
  const state = {
    counts: { ...init.counts },
    migrations: [...init.migrations],
    written: init.written ?? 0,
    /** Rows written after the first attempt's safety backup. */
    writtenLater: 0,
    journal: [] as JournalEntry[],
    calls: [] as string[],
    failRestore: false,
    /** The decryption going on beside the step fails. */
    failOpen: false,
  };
  const writtenSinceBackup = () => ({
    tables: state.written
      ? [
          {
            table: 'public.visits',
            rowsInBackup: 5,
            rowsNow: 5 + state.written,
            changedRows: state.written,
            goneRows: 0,
            newerRows: undefined,
            columns: [],
            written: state.written,
          },
        ]
      : [],
    total: state.written,
    unknown: undefined,
  });
  const ops: DatabaseOps = {
    fetchBackup: async () => {
      state.calls.push('fetch');
      return backup;
    },
    openBackup: async () => {
      if (state.failOpen)
        throw new Error('backup pre-1 is damaged (after decryption): toc.dat (checksum differs)');
    },
    migrationsNow: async () => [...state.migrations],
    rowCountsNow: async () => ({ ...state.counts }),
    writtenSince: async (since) => {
      // Since a safety backup: the rows written after it.
      if (since !== backup) {
        const n = state.writtenLater;
        return {
          tables: n
            ? [
                {
                  table: 'public.visits',
                  rowsInBackup: since.rowCounts['public.visits'],
                  rowsNow: state.counts['public.visits'] ?? 0,
                  changedRows: n,
                  goneRows: 0,
                  newerRows: undefined,
                  columns: [],
                  written: n,
                },
              ]
            : [],
          total: n,
          unknown: undefined,
        };
      }
      return writtenSinceBackup();
    },
    safetyBackup: async () => {
      state.calls.push('safety');
      return {
        id: `safety-${state.calls.length}`,
        location: 'artifact://1/safety',
        snapshot: {
          takenAt: new Date('2026-03-10T05:30:00Z'),
          xidSnapshot: '200:200:',
          rowCounts: { ...state.counts },
        },
      };
    },
    restore: async (b) => {
      state.calls.push('restore');
      if (state.failRestore) throw new Error('pg_restore: connection lost');
      state.counts = { ...b.rowCounts };
      state.migrations = [...(b.migrations ?? [])];
      state.written = 0;
      return { rowCounts: { ...state.counts }, differing: [] };
    },
    readJournal: async () => state.journal,
    writeJournal: async (e) => {
      state.journal.push({
        ...e,
        runId: '1',
        attempt: state.journal.length + 1,
        at: new Date('2026-03-10T06:00:00Z'),
      });
    },
  };
  return { ops, state, backup };
}

const migrated = () =>
  world({ counts: { 'public.patients': 10, 'public.visits': 5 }, migrations: ['001', '002', '003'] });
const log = { info: () => undefined, warning: () => undefined };
const step = (
  ops: DatabaseOps,
  mode: RestoreMode = 'auto',
  more: { migrationsApplied?: boolean; allowDataLoss?: boolean } = {},
) =>
  databaseStep({
    ops,
    mode,
    migrationsApplied: more.migrationsApplied,
    allowDataLoss: more.allowDataLoss ?? false,
    log,
  }).run(undefined as unknown as StepLog);

describe('database step', () => {
  it('restores after a safety backup when this run applied migrations, and checks the counts', async () => {
    const w = migrated();
    const outcome = await step(w.ops);
    expect(w.state.calls).toEqual(['fetch', 'safety', 'restore']);
    expect(outcome).toMatchObject({
      status: 'done',
      data: { restoredFrom: 'pre-1', safetyBackupId: 'safety-2', rowsWrittenSinceBackup: 0 },
    });
    expect(outcome.detail).toMatch(
      /^Restored backup pre-1 \(taken 2026-03-10T05:00:00.000Z\) after safety backup safety-2; row counts of 2 tables match the manifest\.$/,
    );
    expect(w.state.journal.map((e) => e.state)).toEqual(['restoring', 'restored']);
  });

  it('a second run finds the journal and changes nothing, even after new writes', async () => {
    const w = migrated();
    await step(w.ops);
    w.state.counts['public.visits'] = 9; // the app wrote after the rollback
    w.state.calls.length = 0;
    const again = await step(w.ops);
    expect(again.status).toBe('skipped');
    expect(again.detail).toContain('Backup pre-1 was already restored by run 1 attempt 2');
    expect(w.state.calls).toEqual(['fetch']);
  });

  it('auto: skips when migrations-applied is false, or when the migrations match the backup', async () => {
    const w = migrated();
    expect(await step(w.ops, 'auto', { migrationsApplied: false })).toMatchObject({ status: 'skipped' });
    const same = world({ counts: { 'public.patients': 11 }, migrations: ['002', '001'] });
    const outcome = await step(same.ops);
    expect(outcome.status).toBe('skipped');
    expect(outcome.detail).toContain('this run applied none');
    expect(w.state.calls.concat(same.state.calls)).toEqual(['fetch', 'fetch']);
  });

  it('always: skips a database that already matches the backup', async () => {
    const w = world({ counts: { 'public.patients': 10, 'public.visits': 5 }, migrations: ['001', '002'] });
    const outcome = await step(w.ops, 'always');
    expect(outcome).toMatchObject({ status: 'skipped', data: { restoredFrom: 'pre-1' } });
    expect(outcome.detail).toContain('already matches backup pre-1');
  });

  it('refuses when rows were written after the backup, naming tables, counts and the safety backup', async () => {
    const w = world({
      counts: { 'public.patients': 10, 'public.visits': 8 },
      migrations: ['001', '002', '003'],
      written: 3,
    });
    const err = await step(w.ops).catch((e: Error & { data?: unknown }) => e);
    expect((err as Error).message).toBe(
      'At least 3 rows were written after backup pre-1 (taken 2026-03-10T05:00:00.000Z): public.visits: 3 rows inserted or updated (5 → 8). Nothing was restored. ' +
        'The database as it is now is in safety backup safety-2. Set allow-data-loss to true to restore anyway (those rows stay in the safety backup), or carry them over by hand and re-run.',
    );
    expect((err as { data?: unknown }).data).toEqual({
      safetyBackupId: 'safety-2',
      safetyBackupLocation: 'artifact://1/safety',
      rowsWrittenSinceBackup: 3,
      writesSinceBackup: [
        {
          table: 'public.visits',
          rowsInBackup: 5,
          rowsNow: 8,
          insertedOrUpdated: 3,
          updatedOrDeleted: 0,
          written: 3,
        },
      ],
    });
    expect(w.state.calls).toEqual(['fetch', 'safety']);
    expect(w.state.journal).toEqual([]);
  });

  it('says "1 row was", not "1 rows were", when one row was written after the backup', async () => {
    const w = world({
      counts: { 'public.patients': 10, 'public.visits': 6 },
      migrations: ['001', '002', '003'],
      written: 1,
    });
    const err = await step(w.ops).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^At least 1 row was written after backup pre-1 .*: public\.visits: 1 row inserted or updated \(5 → 6\)\./,
    );
    const allowed = await step(
      world({
        counts: { 'public.patients': 10, 'public.visits': 6 },
        migrations: ['001', '002', '003'],
        written: 1,
      }).ops,
      'auto',
      { allowDataLoss: true },
    );
    expect(allowed.detail).toContain(
      'At least 1 row written after the backup (public.visits: 1 row inserted or updated (5 → 6)) is kept in the safety backup only.',
    );
  });

  it('restores with allow-data-loss, saying where the rows are', async () => {
    const w = world({
      counts: { 'public.patients': 10, 'public.visits': 8 },
      migrations: ['001', '002', '003'],
      written: 3,
    });
    const outcome = await step(w.ops, 'auto', { allowDataLoss: true });
    expect(outcome.status).toBe('done');
    expect(outcome.detail).toContain(
      '3 rows written after the backup (public.visits: 3 rows inserted or updated',
    );
    expect(outcome.detail).toContain('are kept in the safety backup only');
    expect(outcome.data).toMatchObject({ rowsWrittenSinceBackup: 3, safetyBackupId: 'safety-2' });
  });

  it('a failed restore names the safety backup; the re-run finishes it and keeps naming the first safety backup', async () => {
    const w = world({
      counts: { 'public.patients': 10, 'public.visits': 8 },
      migrations: ['001', '002', '003'],
      written: 3,
    });
    w.state.failRestore = true;
    const err = await step(w.ops, 'auto', { allowDataLoss: true }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^Restoring backup pre-1 failed: pg_restore: connection lost\. .*database is as it was before it\. The database before the first restore attempt is in safety backup safety-2 \(artifact:\/\/1\/safety\)/,
    );
    expect(w.state.journal.map((e) => e.state)).toEqual(['restoring']);
    w.state.failRestore = false;
    const outcome = await step(w.ops); // allow-data-loss not repeated: the decision was made and the rows saved
    expect(outcome.status).toBe('done');
    expect(w.state.calls).toEqual(['fetch', 'safety', 'restore', 'fetch', 'safety', 'restore']);
    // The second safety backup (safety-5) holds the database after the failed attempt; safety-2 before it.
    expect(outcome.data).toMatchObject({ safetyBackupId: 'safety-2' });
    expect(outcome.detail).toContain('after safety backup safety-2');
    expect(w.state.journal.map((e) => [e.state, e.safetyBackupId])).toEqual([
      ['restoring', 'safety-2'],
      ['restoring', 'safety-2'],
      ['restored', 'safety-2'],
    ]);
  });

  it('rows written between a failed attempt and its re-run: refused without allow-data-loss, naming the safety backup that holds them; with it, restored and said', async () => {
    const w = world({
      counts: { 'public.patients': 10, 'public.visits': 8 },
      migrations: ['001', '002', '003'],
      written: 3,
    });
    w.state.failRestore = true;
    await expect(step(w.ops, 'auto', { allowDataLoss: true })).rejects.toThrow(/safety backup safety-2/);
    expect(w.state.journal[0]?.safetySnapshot).toMatchObject({ xidSnapshot: '200:200:' });
    w.state.failRestore = false;
    // The old release writes on while on-call looks at the failure.
    w.state.counts['public.visits'] = 10;
    w.state.written = 5;
    w.state.writtenLater = 2;
    const err = (await step(w.ops).catch((e: unknown) => e)) as Error & { data?: unknown };
    expect(err.message).toBe(
      'At least 2 rows were written after safety backup safety-2, which run 1 attempt 1 took before its restore of backup pre-1 that did not finish: public.visits: 2 rows inserted or updated (8 → 10). Nothing was restored. ' +
        'Those rows are in safety backup safety-5 (the database as it is now); the database before the first attempt stays in safety-2. Set allow-data-loss to true to restore anyway, or carry them over by hand and re-run.',
    );
    expect(err.data).toMatchObject({
      safetyBackupId: 'safety-2',
      laterSafetyBackupId: 'safety-5',
      rowsWrittenSinceFirstAttempt: 2,
      rowsWrittenSinceBackup: 5,
    });
    expect(w.state.calls.filter((c) => c === 'restore')).toHaveLength(1);

    const outcome = await step(w.ops, 'auto', { allowDataLoss: true });
    expect(outcome.status).toBe('done');
    expect(outcome.data).toMatchObject({ safetyBackupId: 'safety-2', laterSafetyBackupId: 'safety-7' });
    expect(outcome.detail).toContain(
      "At least 2 of them, written after the first attempt's safety backup (public.visits: 2 rows inserted or updated (8 → 10)), are kept in safety backup safety-7 only.",
    );
  });

  it('a re-run that cannot tell what was written after the first safety backup (older journal entry) refuses without allow-data-loss', async () => {
    const w = migrated();
    w.state.journal.push({
      runId: '0',
      attempt: 1,
      backupId: 'pre-1',
      state: 'restoring',
      safetyBackupId: 'safety-old',
      safetyBackupLocation: 'artifact://0/safety-old',
      safetySnapshot: undefined,
      rowsWritten: 0,
      at: new Date('2026-03-10T05:50:00Z'),
    });
    await expect(step(w.ops)).rejects.toThrow(
      /^At least 1 row was written after safety backup safety-old, .*cannot tell: the journal does not record what safety backup safety-old holds\. Nothing was restored\./,
    );
    expect(w.state.calls).not.toContain('restore');
  });

  it('a restore finished but failing its check is journalled as restored: a re-run never restores again', async () => {
    const w = migrated();
    const restore = w.ops.restore;
    w.ops.restore = async (b) => {
      await restore(b);
      w.state.counts['public.visits'] = 4;
      return { rowCounts: { ...w.state.counts }, differing: [] };
    };
    await expect(step(w.ops)).rejects.toThrow(
      /row counts differ from its manifest: public.visits 5 in the backup, 4 now/,
    );
    w.state.calls.length = 0;
    const again = await step(w.ops);
    expect(again.status).toBe('skipped');
    expect(w.state.calls).toEqual(['fetch']);
  });

  it('a mismatch the restore finds after its COMMIT fails the step only once the restore is journalled', async () => {
    const w = migrated();
    const restore = w.ops.restore;
    w.ops.restore = async (b) => ({
      ...(await restore(b)),
      differing: ['public.visits 5 expected, 4 found'],
    });
    await expect(step(w.ops)).rejects.toThrow(
      /row counts differ from its manifest: public.visits 5 expected, 4 found\. The database before the restore is in safety backup/,
    );
    expect(w.state.journal.map((e) => e.state)).toEqual(['restoring', 'restored']);
    w.state.calls.length = 0;
    expect((await step(w.ops)).status).toBe('skipped');
    expect(w.state.calls).toEqual(['fetch']);
  });

  it('with other migrations than the backup, the safety backup runs beside the counts, and a failed count waits for it', async () => {
    const w = migrated();
    let safetyDone = false;
    const safety = w.ops.safetyBackup;
    w.ops.safetyBackup = async () => {
      const taken = await safety();
      await new Promise((r) => setTimeout(r, 20));
      safetyDone = true;
      return taken;
    };
    w.ops.rowCountsNow = async () => {
      // Started before the counts ended.
      expect(w.state.calls).toEqual(['fetch', 'safety']);
      throw new Error('connection lost');
    };
    await expect(step(w.ops)).rejects.toThrow('connection lost');
    expect(safetyDone).toBe(true);
    expect(w.state.journal).toEqual([]);
  });

  it('a backup whose decryption fails restores nothing and writes no journal, after the safety backup', async () => {
    const w = migrated();
    w.state.failOpen = true;
    await expect(step(w.ops)).rejects.toThrow(
      /^The pre-deploy backup could not be decrypted and checked; nothing was restored: backup pre-1 is damaged/,
    );
    expect(w.state.calls).toEqual(['fetch', 'safety']);
    expect(w.state.journal).toEqual([]);
  });

  it('auto without migrations-applied and without migration state: one clear error, nothing changed', async () => {
    const w = migrated();
    w.backup.migrations = undefined;
    await expect(step(w.ops)).rejects.toThrow(/^Cannot tell whether this run applied migrations/);
    expect(w.state.calls).toEqual(['fetch']);
  });

  it('reports a backup that cannot be fetched, with nothing changed', async () => {
    const w = migrated();
    w.ops.fetchBackup = async () => {
      throw new Error('decryption failed: no identity matched');
    };
    await expect(step(w.ops)).rejects.toThrow(
      'The pre-deploy backup could not be fetched; nothing was changed: decryption failed: no identity matched',
    );
    expect(w.state.calls).toEqual([]);
  });
});
