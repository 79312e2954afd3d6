import type { IncidentOutcome, IncidentRun } from '../incident/body.js';
import { runUrl } from '../incident/body.js';
import { escapeMarkdownInline, markdownLink } from '../report/markdown-escape.js';
import type { StepLog } from './steps.js';

const HEADINGS: Record<IncidentOutcome, string> = {
  'rolled-back': '## ✅ Rolled back: the previous deployment is serving production',
  incomplete: '## ❌ Rollback incomplete: re-run this job to finish it',
  'in-progress': '## ⏳ Rollback in progress',
};
const ICONS: Record<string, string> = { done: '✅ done', skipped: '⏭️ skipped', failed: '❌ failed' };

/** The job summary: each step with what was found and done, then the facts and the incident link. */
export function rollbackSummary(
  log: StepLog,
  facts: [string, string][],
  run: IncidentRun,
  incidentUrl: string | undefined,
  outcome: IncidentOutcome,
): string {
  const lines = [
    HEADINGS[outcome],
    '',
    `Run ${escapeMarkdownInline(run.runId)}, attempt ${run.attempt}. ${markdownLink('This attempt', runUrl(run))}.`,
    '',
    '| Step | Status | What was found and done |',
    '| --- | --- | --- |',
  ];
  for (const [name, record] of log.entries()) {
    lines.push(
      `| ${escapeMarkdownInline(log.title(name))} | ${ICONS[record.status] ?? record.status} | ${escapeMarkdownInline(record.detail)} |`,
    );
  }
  if (facts.length > 0) {
    lines.push('', '| | |', '| --- | --- |');
    for (const [label, value] of facts)
      lines.push(`| ${escapeMarkdownInline(label)} | ${escapeMarkdownInline(value)} |`);
  }
  if (incidentUrl)
    lines.push('', `Incident and post-mortem checklist: ${markdownLink(incidentUrl, incidentUrl)}`);
  return `${lines.join('\n')}\n`;
}
