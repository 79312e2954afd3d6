import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBackupId } from '../backup/backup-id.js';
import { checkStoredBackup } from '../backup/restore-backup.js';
import type { BackupStore } from '../backup/store.js';
import { backupRun, takeBackup } from '../backup/take-backup.js';
import type { MigrationFacts } from '../db/migration-state.js';
import { migrationState, repoMigrations } from '../db/migration-state.js';
import { rowCounts, withClient } from '../db/queries.js';
import type { RunContext } from '../runner/runner.js';
import { applyMigrations } from './apply.js';
import { migrationDurations } from './durations.js';
import { columnsOf, describeFailure } from './failure.js';
import type { MigrateInputs } from './inputs.js';
import { earlierBackup, recordBackup } from './journal.js';
import { type LintReport, lintMigrations } from './lint.js';
import { detectTool, type MigrationCommand, pendingFiles } from './tools.js';

const MIGRATION_TABLES = ['public._prisma_migrations', 'public.schema_migrations', 'public.pgmigrations'];

/**
 * The state of the table the tool writes to (for a command, the first known table). A tool that never
 * ran has no table yet: then every migration in its folder is pending.
 */
export function pick(
  state: MigrationFacts[],
  cmd: MigrationCommand,
  workdir: string,
): MigrationFacts | undefined {
  const found = state.find((s) => s.tool === cmd.tool) ?? (cmd.tool === 'command' ? state[0] : undefined);
  if (found) return found;
  const tool = cmd.tool === 'command' || cmd.tool === 'none' ? detectTool(workdir) : cmd.tool;
  if (!tool || !cmd.folder) return undefined;
  const table = MIGRATION_TABLES_BY_TOOL[tool];
  return {
    tool,
    table,
    applied: [],
    failed: [],
    pending: repoMigrations(tool, cmd.folder).map((m) => m.name),
  };
}

const MIGRATION_TABLES_BY_TOOL = {
  prisma: '_prisma_migrations',
  dbmate: 'schema_migrations',
  'node-pg-migrate': 'pgmigrations',
} as const;

export async function readState(inputs: MigrateInputs): Promise<MigrationFacts[]> {
  return withClient(inputs.target, (c) => migrationState(c, inputs.workdir));
}

/** A migration left failed blocks every later one (Prisma's P3009): refuse before anything is done. */
export function failedMigrationError(state: MigrationFacts[]): Error | undefined {
  const failed = state.flatMap((s) => s.failed.map((f) => `${f} (${s.table})`));
  if (failed.length === 0) return undefined;
  return new Error(
    `the migration table shows failed migrations: ${failed.join(', ')}. Nothing was backed up or migrated. Fix the database by hand, mark them (prisma migrate resolve --rolled-back <name>, or --applied after finishing them), then re-run.`,
  );
}

export interface BackupPhase {
  id: string;
  location: string;
  manifestPath: string;
  manifest: Awaited<ReturnType<typeof takeBackup>>['manifest'];
  durationMs: number;
}

export async function backupPhase(
  inputs: MigrateInputs,
  ctx: RunContext,
  store: BackupStore,
  log: (m: string) => void,
): Promise<BackupPhase> {
  const id = runBackupId(inputs.target, ctx);
  const started = performance.now();
  const result = await takeBackup({
    target: inputs.target,
    tempDir: `${ctx.runnerTemp}/deploy-gates`,
    repoRoot: inputs.workdir,
    id,
    jobs: inputs.jobs,
    compression: inputs.compression,
    verify: inputs.verify,
    encryption: inputs.encryption,
    store,
    run: backupRun(ctx),
    log,
  });
  return { id, ...result, durationMs: Math.round(performance.now() - started) };
}

export interface ResumedBackup extends BackupPhase {
  /** The attempt that took the backup and then started migrating. */
  attempt: number;
  /** What that attempt (or later ones) applied after the backup. */
  alreadyApplied: string[];
}

/**
 * On a re-run: when an earlier attempt of this run backed up and then applied migrations, the database is
 * no longer the pre-deploy one, so a new backup would hold a half-migrated database. That earlier backup
 * stays the pre-deploy backup, once it is checked to be still there and intact. Undefined when there is no
 * such attempt, or the database is back where its backup left it (a fresh backup is then the newer one).
 */
export async function earlierBackupPhase(
  inputs: MigrateInputs,
  ctx: RunContext,
  store: BackupStore,
  before: MigrationFacts | undefined,
): Promise<ResumedBackup | undefined> {
  if (ctx.runAttempt <= 1) return undefined;
  const record = await withClient(inputs.target, (c) => earlierBackup(c, ctx.runId, ctx.runAttempt));
  if (!record) return undefined;
  const had = new Set(record.appliedBefore);
  const alreadyApplied = (before?.applied ?? []).filter((a) => !had.has(a));
  if (alreadyApplied.length === 0) return undefined;
  const tempDir = `${ctx.runnerTemp}/deploy-gates`;
  const manifest = await checkStoredBackup(store, record.location, tempDir).catch((err: Error) => {
    throw new Error(
      `attempt ${record.attempt} of this run backed up to ${record.location} and then applied ${alreadyApplied.join(', ')}, but that backup cannot be read back (${err.message}). Nothing was backed up or migrated: a backup now would hold the half-migrated database. Find the backup ${record.backupId}, or decide by hand how to go on.`,
    );
  });
  await mkdir(tempDir, { recursive: true });
  const manifestPath = join(tempDir, `${manifest.id}.manifest.json`);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    id: manifest.id,
    location: record.location,
    manifestPath,
    manifest,
    durationMs: 0,
    attempt: record.attempt,
    alreadyApplied,
  };
}

/** Written just before migrating, so a re-run of this run can find the pre-deploy backup again. */
export async function recordBackupPhase(
  inputs: MigrateInputs,
  ctx: RunContext,
  backup: BackupPhase,
  before: MigrationFacts | undefined,
): Promise<void> {
  await withClient(inputs.target, (c) =>
    recordBackup(c, {
      runId: ctx.runId,
      attempt: ctx.runAttempt,
      backupId: backup.id,
      location: backup.location,
      appliedBefore: before?.applied ?? [],
    }),
  );
}

export async function lintPhase(
  cmd: MigrationCommand,
  state: MigrationFacts | undefined,
  /** Findings name their files relative to it, as code scanning and annotations want. */
  workspace: string,
  counts: Record<string, number>,
): Promise<LintReport> {
  const tool = cmd.tool === 'command' || cmd.tool === 'none' ? state?.tool : cmd.tool;
  return lintMigrations(pendingFiles(tool, cmd.folder, state?.pending ?? [], workspace), counts);
}

export interface ApplyPhase {
  applied: string[];
  durationMs: number;
  /** Per migration, when the tool's output tells (dbmate, node-pg-migrate). */
  durations: Record<string, number> | undefined;
  after: MigrationFacts | undefined;
  drops: { table: string; before: number; after: number }[];
}

export async function applyPhase(
  cmd: MigrationCommand,
  inputs: MigrateInputs,
  before: MigrationFacts | undefined,
  backupCounts: Record<string, number>,
): Promise<ApplyPhase> {
  const columnsBefore = await withClient(inputs.target, columnsOf);
  const { durationMs, startedAt, lines } = await applyMigrations(
    cmd,
    inputs.workdir,
    inputs.target.url,
  ).catch(async (err: Error) => {
    // Which migration failed, what was applied before it and what the database holds now; if the
    // database cannot tell (it went away), the tool's own error.
    throw await withClient(inputs.target, async (c) =>
      describeFailure(c, err, {
        cmd,
        before,
        after: pick(await migrationState(c, inputs.workdir), cmd, inputs.workdir),
        columnsBefore,
        backupCounts,
        root: inputs.workdir,
        ignore: (t) => MIGRATION_TABLES.includes(t),
      }),
    ).catch(() => err);
  });
  const { after, counts } = await withClient(inputs.target, async (c) => {
    await c.query('SELECT 1');
    return {
      after: pick(await migrationState(c, inputs.workdir), cmd, inputs.workdir),
      counts: await rowCounts(c, MIGRATION_TABLES),
    };
  });
  const was = new Set(before?.applied ?? []);
  const drops = Object.entries(backupCounts)
    .filter(([t]) => !MIGRATION_TABLES.includes(t))
    .filter(([t, n]) => (counts[t] ?? 0) < n)
    .map(([table, n]) => ({ table, before: n, after: counts[table] ?? 0 }));
  const applied = (after?.applied ?? []).filter((a) => !was.has(a));
  const timed = cmd.tool === 'dbmate' || cmd.tool === 'node-pg-migrate';
  const durations = timed ? migrationDurations(applied, lines, startedAt) : undefined;
  return { applied, durationMs, durations, after, drops };
}
