import type { BackupManifest } from '../backup/manifest.js';
import { escapeMarkdownInline as md, tableCodeSpan } from '../report/markdown-escape.js';
import { megabytes } from '../util/progress.js';
import type { LintReport } from './lint.js';

export interface MigrationFailure {
  /** What the tool said. */
  cause: string;
  failed: string | undefined;
  file: string | undefined;
  changes: string[];
  /** The migrations-applied output: those applied, and the failed one (it may have committed part). */
  migrationsApplied: string[];
}

export function migrationSummary(opts: {
  manifest: BackupManifest;
  location: string;
  backupMs: number;
  /** The backup was taken by this earlier attempt of the run, before it started migrating. */
  reusedFromAttempt?: number | undefined;
  pending: string[];
  applied: string[];
  applyMs: number | undefined;
  durations?: Record<string, number> | undefined;
  lint: LintReport;
  dryRun: boolean;
  /** The gate stopped the pending migrations before they ran: the rules that did. */
  blockedBy?: string[] | undefined;
  /** The migrations failed: what was applied, which failed, what it changed. */
  failure?: MigrationFailure | undefined;
}): string {
  const m = opts.manifest;
  const throughput =
    opts.backupMs > 0 ? `${(m.database.sizeBytes / 1e6 / (opts.backupMs / 1000)).toFixed(1)} MB/s` : '—';
  const lines = [
    '### Database: backup, then migrations',
    '',
    `| Backup | Database | Dump | Took | Throughput | Verification | Encryption | Stored at |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${tableCodeSpan(m.id)} | ${md(m.database.name)} (${megabytes(m.database.sizeBytes)}, PostgreSQL ${md(m.database.serverVersion)}) | ${m.files.length} files, ${megabytes(m.dump.bytes)} | ${(opts.backupMs / 1000).toFixed(1)} s | ${throughput} | checksums, ${m.verification.tocEntries} TOC entries${m.verification.restore === 'matched' ? ', test restore matched' : ''} | ${m.encryption.kind} | ${md(opts.location)} |`,
    '',
  ];
  if (opts.reusedFromAttempt)
    lines.push(
      `Re-run: this is the backup attempt ${opts.reusedFromAttempt} took before it started migrating, checked again; no new backup was taken of the half-migrated database.`,
      '',
    );
  if (opts.lint.findings.length || opts.lint.unparsed.length) {
    lines.push('Found in the pending SQL:', '');
    for (const u of opts.lint.unparsed)
      lines.push(`- SQL PostgreSQL cannot parse (${md(u.error)}) at ${md(u.file)}:${u.line}`);
    for (const f of opts.lint.findings)
      lines.push(
        `- ${f.kind} on ${md(f.object)}${f.column ? `.${md(f.column)}` : ''} at ${md(f.file)}:${f.line}`,
      );
    lines.push('');
  }
  if (opts.failure) {
    const f = opts.failure;
    lines.push(
      `**The migrations failed**: ${md(f.cause)}`,
      '',
      `- Applied by this run before the failure: ${md(opts.applied.join(', ') || 'none')}`,
      f.failed
        ? `- Failed: ${md(f.failed)}${f.file ? ` (${md(f.file)})` : ''}: not recorded as applied, but without a transaction it may have committed part of itself`
        : '- Failed outside any pending migration',
      f.changes.length
        ? `- The database now differs from the pre-deploy backup: ${md(f.changes.join('; '))}`
        : '- No table, column or row count differs from the pre-deploy backup (indexes, constraints and functions are not compared)',
      `- \`migrations-applied\`: ${md(JSON.stringify(f.migrationsApplied))}`,
      '',
      `The verified backup ${tableCodeSpan(m.id)} is what the rollback restores.`,
    );
  } else if (opts.blockedBy?.length) {
    const n = opts.pending.length;
    lines.push(
      `${n} migration${n === 1 ? '' : 's'} blocked by the lint (${md(opts.blockedBy.join(', '))}): ${md(opts.pending.join(', '))}. Nothing was migrated.`,
    );
  } else if (opts.dryRun)
    lines.push(
      `Dry run: ${opts.pending.length} migration(s) would run: ${md(opts.pending.join(', ') || 'none')}. Nothing was changed.`,
    );
  else if (opts.applied.length) {
    lines.push(
      `Applied ${opts.applied.length} migration(s) in ${((opts.applyMs ?? 0) / 1000).toFixed(1)} s:`,
      '',
    );
    for (const a of opts.applied) {
      const ms = opts.durations?.[a];
      lines.push(`- ${md(a)}${ms === undefined ? '' : ` (${ms} ms)`}`);
    }
  } else lines.push('No migration was pending.');
  return `${lines.join('\n')}\n\n`;
}
