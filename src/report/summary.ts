import { isMissingRequired, missingText } from '../policy/needs.js';
import { bySeverity } from '../policy/severity.js';
import type { GateOutcome, RuleResult, RuleStatus, WaiverReport, WaiverState } from '../policy/types.js';
import { fitSections, type Section } from './byte-budget.js';
import { markdownLink, escapeMarkdownInline as md } from './markdown-escape.js';
import { byAttention } from './order.js';

export interface SummaryOptions {
  /** Heading of the summary, e.g. the action's name. */
  title: string;
  /** Where the JSON report was written, named when rows have to be left out. */
  reportPath?: string;
  /** Size limit in UTF-8 bytes. */
  maxBytes?: number;
}

// GitHub refuses a step summary over 1 MiB; stay well below it so other writers to the same
// step summary keep some room.
export const DEFAULT_SUMMARY_MAX_BYTES = 900_000;

const STATUS_LABEL: Record<RuleStatus, string> = {
  fail: '❌ fail',
  error: '⚠️ error',
  waived: '🛡️ waived',
  pass: '✅ pass',
  'not-checked': '❔ not checked',
};

const WAIVER_STATE_LABEL: Record<WaiverState, string> = {
  active: 'active',
  expiring: '⚠️ expiring',
  expired: '❌ expired (not honoured)',
  refused: '❌ refused (not honoured)',
  unused: 'unused',
  'other-gate': 'for another gate',
  'unknown-rule': 'unknown rule',
};

export const WAIVER_TABLE_HEAD =
  '| Rule | Scope | State | Reason | Approver | Approver check | Ticket | Expires | Days left |';
export const WAIVER_TABLE_RULE = '| --- | --- | --- | --- | --- | --- | --- | --- | --- |';

/** The job summary: decision, counts, a table of every rule, waivers, and how to fix what blocks. */
export function toSummaryMarkdown(outcome: GateOutcome, opts: SummaryOptions): string {
  const omitted = omittedLine(opts.reportPath);
  const head = [`## ${md(opts.title)}: ${decisionLabel(outcome)}`, '', countLine(outcome), ''];
  const rows = [...outcome.results].sort(byAttention);
  const sections: Section[] = [
    {
      intro: ['| Rule | Severity | Status | Message | Reference |', '| --- | --- | --- | --- | --- |'],
      items: rows.map(resultRow),
      // Failures, errors and missing required facts first; the other rows get the room left at the end.
      essential: rows.filter(
        (result) => result.status === 'fail' || result.status === 'error' || isMissingRequired(result),
      ).length,
      omitted: (count) => omitted(count, 'rows'),
    },
  ];
  // Rows are in attention order: missing required facts come before optional ones and waived ones.
  const unchecked = rows.filter((result) => result.missingFacts.length > 0);
  if (unchecked.length > 0) {
    sections.push({
      intro: [
        '### Not checked',
        '',
        'These rules judged nothing: a fact they need was not collected. A required one fails the gate unless a waiver covers it.',
        '',
      ],
      items: unchecked.map(notCheckedItem),
      essential: unchecked.filter(isMissingRequired).length,
      omitted: (count) => omitted(count, 'rules not checked'),
    });
  }
  if (outcome.waivers.length > 0) {
    sections.push({
      intro: ['### Waivers', '', WAIVER_TABLE_HEAD, WAIVER_TABLE_RULE],
      items: outcome.waivers.map(waiverRow),
      omitted: (count) => omitted(count, 'waivers'),
    });
  }
  if (outcome.blocking.length > 0) {
    sections.push({
      intro: ['### How to fix'],
      items: [...outcome.blocking].sort(bySeverity).map(fixItem),
      omitted: (count) => omitted(count, 'fixes'),
    });
  }
  return fitSections(head, sections, opts.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES);
}

/**
 * Audit mode never fails the gate, so say what enforcement would have done; `blocking` lists
 * the results that decide the gate whatever the mode.
 */
export function decisionLabel(outcome: GateOutcome): string {
  // In audit mode the engine still decides "fail"; the step does not, so the label says what would happen.
  if (outcome.mode === 'audit' && outcome.blocking.length > 0) return '⚠️ Audit: would fail';
  if (outcome.decision === 'fail') return '❌ Failed';
  return '✅ Passed';
}

export function countLine(outcome: GateOutcome): string {
  const { passed, failed, waived, errored, notChecked, notCheckedRequired, total } = outcome.counts;
  // Shown whenever a rule judged nothing, so nobody reads its silence as a pass.
  const unchecked = notChecked > 0 ? ` · **${notChecked}** not checked (${notCheckedRequired} required)` : '';
  return (
    `**${passed}** passed · **${failed}** failed · **${waived}** waived · **${errored}** errors${unchecked} ` +
    `(${total} rules; mode ${outcome.mode}, fail-on ${outcome.failOn})`
  );
}

export function resultRow(result: RuleResult): string {
  const cells = [
    `**${md(result.ruleId)}** ${md(result.title)}`,
    result.severity,
    STATUS_LABEL[result.status],
    // A passing rule's message is its title, already in the first cell.
    result.message === result.title ? '' : md(result.message),
    markdownLink(result.reference, result.helpUri),
  ];
  return `| ${cells.join(' | ')} |`;
}

export function waiverRow(report: WaiverReport): string {
  const { waiver } = report;
  const cells = [
    md(waiver.rule),
    waiver.scope === undefined ? 'all' : md(waiver.scope),
    // A refused waiver says why, so the author can fix it without opening the JSON report.
    report.problems.length > 0 && report.state === 'refused'
      ? `${WAIVER_STATE_LABEL.refused}: ${md(report.problems.join('; '))}`
      : report.ownedBy
        ? `${WAIVER_STATE_LABEL[report.state]} (${md(report.ownedBy)})`
        : WAIVER_STATE_LABEL[report.state],
    md(waiver.reason),
    md(waiver.approver),
    approverCell(report),
    md(waiver.ticket),
    md(waiver.expiresAt),
    // Another gate judges it, on its own clock (a sandbox's may be fixed): this gate's count would mislead.
    report.state === 'other-gate' ? '—' : String(report.daysLeft),
  ];
  return `| ${cells.join(' | ')} |`;
}

function approverCell({ approverCheck }: WaiverReport): string {
  if (!approverCheck.required) return 'not required';
  const mark = approverCheck.unchecked ? '❔' : approverCheck.ok ? '✅' : '❌';
  return `${mark} ${md(approverCheck.detail)}`;
}

/** A rule not checked: which facts are missing, what collects each, and whether that blocks. */
export function notCheckedItem(result: RuleResult): string {
  const kind =
    result.status === 'waived' ? 'required, waived' : isMissingRequired(result) ? 'required' : 'optional';
  return `- **${md(result.ruleId)}** (${kind}): ${md(result.missingFacts.map(missingText).join('; '))}`;
}

export function fixItem(result: RuleResult): string {
  if (isMissingRequired(result)) {
    const give = result.violations.map((v) => `${v.pointer} ${v.message}`).join('; ');
    return `- **${md(result.ruleId)}** (${result.severity}): not checked — ${md(give)}.`;
  }
  return (
    `- **${md(result.ruleId)}** (${result.severity}): ${md(result.remediation)} ` +
    `Reference: ${markdownLink(result.reference, result.helpUri)}`
  );
}

function omittedLine(reportPath: string | undefined): (count: number, what: string) => string {
  const where = reportPath === undefined ? 'in the JSON report' : `in the JSON report at ${md(reportPath)}`;
  return (count, what) => `${count} more ${what} omitted; the full list is ${where}`;
}
