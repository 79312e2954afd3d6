import { openStore } from '../backup/open-store.js';
import type { CollectedFacts, GateAction } from '../gate/run-gate.js';
import { mergeFacts } from '../policy/facts.js';
import { PartialMigrationError } from './failure.js';
import { type MigrateInputs, readMigrateInputs } from './inputs.js';
import { checkIdentityMatches, provePhase } from './prove-phase.js';
import {
  applyPhase,
  backupPhase,
  earlierBackupPhase,
  failedMigrationError,
  lintPhase,
  pick,
  readState,
  recordBackupPhase,
} from './run.js';
import { type MigrationFailure, migrationSummary } from './summary.js';
import { type MigrationCommand, resolveMigrationCommand } from './tools.js';

/** The inputs, and the migration command they resolve to (checked before anything is measured). */
type Inputs = { inputs: MigrateInputs; cmd: MigrationCommand };
/** The facts, and the summary of what was backed up and migrated. */
type Collected = CollectedFacts & { summary: string };

/**
 * Playbook Step 2: a verified, encrypted backup, then the migrations, never one without the other. The
 * lint of the pending migrations is judged before they run; a blocking rule (or dry-run, or no tool)
 * stops there, and the outcome published is that one.
 */
export const dbMigrateGate: GateAction<Inputs, Collected> = {
  title: 'Database migration',
  reportName: 'db-migrate',
  policies: 'builtin:db-migrate',
  readInputs: async ({ runner, input, ctx }) => {
    const inputs = readMigrateInputs(input, ctx, (secret) => runner.setSecret(secret));
    await checkIdentityMatches(inputs);
    return { inputs, cmd: resolveMigrationCommand(inputs.migrate, inputs.workdir, inputs.migrateCommand) };
  },
  collect: async ({ runner, ctx }, { inputs, cmd }, decide) => {
    const stateBefore = await readState(inputs);
    const failed = failedMigrationError(stateBefore);
    if (failed) throw failed;
    const before = pick(stateBefore, cmd, inputs.workdir);
    runner.setOutput('schema-version-before', before?.applied.at(-1) ?? '');
    runner.setOutput('migrations-pending', JSON.stringify(before?.pending ?? []));

    const store = await openStore(inputs.storage);
    const resumed = await earlierBackupPhase(inputs, ctx, store, before);
    if (resumed)
      runner.info(
        `Attempt ${resumed.attempt} of this run backed up ${resumed.id} and then applied ${resumed.alreadyApplied.join(', ')}: that verified backup stays the pre-deploy backup (no new backup of a half-migrated database)`,
      );
    const backup =
      resumed ?? (await runner.group('Backup', () => backupPhase(inputs, ctx, store, (m) => runner.info(m))));
    const alreadyApplied = resumed?.alreadyApplied ?? [];
    runner.setOutput('backup-id', backup.id);
    runner.setOutput('backup-location', backup.location);
    runner.setOutput('backup-manifest', backup.manifestPath);
    runner.setOutput('backup-sha256', backup.manifest.sha256);
    const proof = await provePhase(inputs, ctx, store, backup.location);
    runner.info(
      `The rollback's key opens backup ${backup.id}: pg_restore --list reads its ${proof.tocEntries} table-of-contents entries`,
    );

    const lint = await lintPhase(cmd, before, ctx.workspace, backup.manifest.rowCounts);
    const dbMigrate = { tool: cmd.tool, pending: before?.pending ?? [], failed: [], lint };
    const now = new Date();
    const collected = (doc: object) => ({ facts: mergeFacts([doc as Record<string, unknown>], now), now });
    const summary = (
      applied: string[],
      applyMs?: number,
      durations?: Record<string, number>,
      blockedBy?: string[],
      failure?: MigrationFailure,
    ) =>
      migrationSummary({
        manifest: backup.manifest,
        location: backup.location,
        backupMs: backup.durationMs,
        reusedFromAttempt: resumed?.attempt,
        pending: before?.pending ?? [],
        applied,
        applyMs,
        durations,
        lint,
        dryRun: inputs.dryRun,
        blockedBy,
        failure,
      });

    const beforeApply = collected({ dbMigrate });
    const preOutcome = await decide(beforeApply);
    const blocked = preOutcome.decision === 'fail' && preOutcome.mode === 'enforce';
    if (inputs.dryRun || cmd.tool === 'none' || blocked) {
      runner.setOutput('migrations-applied', JSON.stringify(alreadyApplied));
      runner.setOutput('schema-version-after', before?.applied.at(-1) ?? '');
      const blockedBy = blocked ? [...new Set(preOutcome.blocking.map((r) => r.ruleId))] : undefined;
      return { ...beforeApply, summary: summary(alreadyApplied, undefined, undefined, blockedBy) };
    }

    runner.info(
      `Applying ${before?.pending.length ?? 'the'} pending migration(s) with ${cmd.tool === 'command' ? cmd.program : cmd.tool}; backup ${backup.id} is at ${backup.location}`,
    );
    if (!resumed) await recordBackupPhase(inputs, ctx, backup, before);
    const applied = await runner
      .group('Migrations', () => applyPhase(cmd, inputs, before, backup.manifest.rowCounts))
      .catch(async (err: Error) => {
        if (err instanceof PartialMigrationError) {
          // The failed migration is listed too: it may have committed part of itself, and the rollback
          // must restore whenever the database may have changed.
          const migrationsApplied = [...alreadyApplied, ...err.applied, ...(err.failed ? [err.failed] : [])];
          runner.setOutput('migrations-applied', JSON.stringify(migrationsApplied));
          runner.setOutput('migration-failed', err.failed ?? '');
          const { toolMessage: cause, failed, file, changes } = err;
          await runner.appendSummary(
            summary([...alreadyApplied, ...err.applied], undefined, undefined, undefined, {
              cause,
              failed,
              file,
              changes,
              migrationsApplied,
            }),
          );
        }
        throw new Error(
          `${err.message}. The verified backup ${backup.id} (${backup.location}) is what the rollback restores.`,
        );
      });
    const appliedByRun = [...alreadyApplied, ...applied.applied];
    runner.setOutput('migrations-applied', JSON.stringify(appliedByRun));
    runner.setOutput('schema-version-after', applied.after?.applied.at(-1) ?? '');
    return {
      ...collected({ dbMigrate: { ...dbMigrate, integrity: { checked: true, drops: applied.drops } } }),
      summary: summary(appliedByRun, applied.durationMs, applied.durations),
    };
  },
  decided: (_step, _outcome, { summary }) => ({ details: summary }),
};
