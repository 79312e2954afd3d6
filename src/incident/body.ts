import { escapeMarkdownInline, markdownLink, tableCodeSpan } from '../report/markdown-escape.js';
import { checklistMarkdown } from './checklist.js';
import { isLedger, type Ledger } from './ledger.js';
import type { StepRecord } from './step-record.js';

/**
 * The incident issue body. The rollback owns one block per workflow run, between two markers that carry
 * the run id; everything outside it (the post-mortem checklist people tick, notes, other runs' blocks) is
 * never rewritten. A re-run finds its block by the marker and replaces that block alone.
 */
export type IncidentOutcome = 'rolled-back' | 'incomplete' | 'in-progress';

export interface IncidentRun {
  runId: string;
  attempt: number;
  repository: string;
  serverUrl: string;
  workflow: string;
  sha: string;
  actor: string;
}

export interface IncidentView {
  run: IncidentRun;
  reason: string;
  outcome: IncidentOutcome;
  /** Label and plain-text value; values are escaped here. */
  facts: [string, string][];
  steps: [name: string, title: string, record: StepRecord][];
  ledger: Ledger;
  updatedAt: string;
}

export const INCIDENT_LABEL = 'incident';

export function startMarker(runId: string): string {
  return `<!-- deploy-gates:rollback run-id=${runId} -->`;
}
function endMarker(runId: string): string {
  return `<!-- deploy-gates:rollback-end run-id=${runId} -->`;
}
const LEDGER_PREFIX = '<!-- deploy-gates:ledger ';

export function runUrl(run: Pick<IncidentRun, 'serverUrl' | 'repository' | 'runId' | 'attempt'>): string {
  return `${run.serverUrl}/${run.repository}/actions/runs/${encodeURIComponent(run.runId)}/attempts/${run.attempt}`;
}

export function incidentTitle(run: IncidentRun, reason: string): string {
  const why = reason.replace(/\s+/g, ' ').trim();
  const short = why.length > 120 ? `${why.slice(0, 119)}…` : why;
  const where = `${run.workflow || 'workflow'} run ${run.runId}`;
  return short ? `Deployment rollback: ${short} (${where})` : `Deployment rollback (${where})`;
}

const HEADINGS: Record<IncidentOutcome, string> = {
  'rolled-back': '✅ Rolled back: the previous deployment is serving production',
  incomplete: '❌ Rollback incomplete',
  'in-progress': '⏳ Rollback in progress',
};
const STATUS_ICONS: Record<string, string> = { done: '✅ done', skipped: '⏭️ skipped', failed: '❌ failed' };

function cell(text: string, max = 600): string {
  const oneLine = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return escapeMarkdownInline(oneLine);
}

/** JSON inside an HTML comment: `--` cannot appear, so `-->` cannot end the comment early. */
function ledgerComment(ledger: Ledger): string {
  return `${LEDGER_PREFIX}${JSON.stringify(ledger).replace(/--/g, '-\\u002d')} -->`;
}

export function renderBlock(view: IncidentView): string {
  const { run } = view;
  const failed = view.steps.filter(([, , r]) => r.status === 'failed').map(([, title]) => title);
  const heading =
    view.outcome === 'incomplete' && failed.length > 0
      ? `${HEADINGS.incomplete}: ${failed.join(', ')} failed. Re-run the failed job to finish it`
      : HEADINGS[view.outcome];
  const lines = [
    startMarker(run.runId),
    `## ${escapeMarkdownInline(heading)}`,
    '',
    `**Reason:** ${view.reason ? cell(view.reason, 2000) : 'not given'}`,
    '',
    '| | |',
    '| --- | --- |',
    `| Workflow run | ${markdownLink(`${run.workflow || 'run'} ${run.runId}, attempt ${run.attempt}`, runUrl(run))} |`,
    `| Repository | ${cell(run.repository)} |`,
  ];
  if (run.sha) lines.push(`| Commit | ${tableCodeSpan(run.sha.slice(0, 12))} |`);
  if (run.actor) lines.push(`| Started by | ${cell(run.actor)} |`);
  for (const [label, value] of view.facts) lines.push(`| ${cell(label)} | ${cell(value)} |`);
  lines.push(`| Updated | ${cell(view.updatedAt)} |`, '');

  lines.push(
    '### Rollback steps',
    '',
    '| Step | Status | What was found and done | Attempt |',
    '| --- | --- | --- | --- |',
  );
  for (const [, title, record] of view.steps) {
    lines.push(
      `| ${cell(title)} | ${STATUS_ICONS[record.status] ?? cell(record.status)} | ${cell(record.detail)} | ${record.attempt} |`,
    );
  }
  lines.push('');

  const attempts = view.ledger.attempts.slice(-20);
  if (attempts.length > 0) {
    lines.push('<details><summary>Attempts of this run</summary>', '');
    for (const a of attempts) {
      const steps = Object.entries(a.steps)
        .map(([name, status]) => `${name} ${status}`)
        .join(', ');
      lines.push(`- attempt ${a.attempt} (${cell(a.at)}): ${cell(steps)}`);
    }
    lines.push('', '</details>', '');
  }
  lines.push(ledgerComment(view.ledger), endMarker(run.runId));
  return lines.join('\n');
}

/** A new issue: the run's block, then the checklist that people tick (outside the block: never rewritten). */
export function newIssueBody(view: IncidentView): string {
  return `${renderBlock(view)}\n\n${checklistMarkdown()}`;
}

/**
 * The body with this run's block replaced, or appended (with the checklist) when the issue does not have
 * it yet, e.g. an incident issue a person opened and named in the `incident` input.
 */
export function updateBody(existing: string, view: IncidentView): string {
  const span = blockSpan(existing, view.run.runId);
  if (span === undefined) {
    const sep = existing.trim() === '' ? '' : '\n\n';
    const checklist = existing.includes('### Post-mortem checklist') ? '' : `\n\n${checklistMarkdown()}`;
    return `${existing.trimEnd()}${sep}${renderBlock(view)}${checklist}`;
  }
  return existing.slice(0, span.start) + renderBlock(view) + existing.slice(span.end);
}

function blockSpan(body: string, runId: string): { start: number; end: number } | undefined {
  const start = body.indexOf(startMarker(runId));
  if (start < 0) return undefined;
  const endAt = body.indexOf(endMarker(runId), start);
  if (endAt < 0) return undefined;
  return { start, end: endAt + endMarker(runId).length };
}

export type LedgerRead = { kind: 'absent' } | { kind: 'found'; ledger: Ledger } | { kind: 'damaged' };

/** This run's ledger from an issue body: absent (no block yet), found, or damaged (edited by hand). */
export function readLedger(body: string, runId: string): LedgerRead {
  const span = blockSpan(body, runId);
  if (span === undefined) return body.includes(startMarker(runId)) ? { kind: 'damaged' } : { kind: 'absent' };
  const block = body.slice(span.start, span.end);
  const at = block.indexOf(LEDGER_PREFIX);
  if (at < 0) return { kind: 'damaged' };
  const end = block.indexOf(' -->', at);
  if (end < 0) return { kind: 'damaged' };
  try {
    const parsed: unknown = JSON.parse(block.slice(at + LEDGER_PREFIX.length, end));
    return isLedger(parsed) && parsed.runId === runId
      ? { kind: 'found', ledger: parsed }
      : { kind: 'damaged' };
  } catch {
    return { kind: 'damaged' };
  }
}
