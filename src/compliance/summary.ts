import { bySeverity } from '../policy/severity.js';
import type { GateOutcome, RuleResult } from '../policy/types.js';
import { fitSections, type Section } from '../report/byte-budget.js';
import { markdownLink, escapeMarkdownInline as md } from '../report/markdown-escape.js';
import { byAttention } from '../report/order.js';
import {
  countLine,
  DEFAULT_SUMMARY_MAX_BYTES,
  fixItem,
  resultRow,
  type SummaryOptions,
  WAIVER_TABLE_HEAD,
  WAIVER_TABLE_RULE,
  waiverRow,
} from '../report/summary.js';
import type { ChangeWindowFacts } from './change-window.js';
import type { Clock } from './clock.js';
import type { Deployment } from './deployment.js';

export interface ApproverContext {
  deployment: Deployment;
  window: ChangeWindowFacts;
  evidencePath: string;
  /** SHA-256 of the evidence file as written: what an auditor compares a downloaded copy with. */
  evidenceSha256: string;
  clock: Clock;
}

const CLOCK_RULE = 'compliance.clock-not-overridden';

/** The regulation a policy stands for, in the words an approver uses. */
const REGULATION: Record<string, string> = {
  'compliance/lgpd': 'LGPD: patient data protection (Lei 13.709/2018)',
  'compliance/anvisa': 'ANVISA: medical device software',
  'compliance/cfm': 'CFM: medical professional and telemedicine standards',
  'change-window': 'Change window',
  'compliance/clock': "The gate's clock",
};

/** First line: the decision in words, then what it means for the person about to approve. */
function verdict(outcome: GateOutcome): string[] {
  const { counts } = outcome;
  if (outcome.mode === 'audit' && outcome.blocking.length > 0) {
    return [
      `## ⚠️ Compliance check would fail (audit mode): review before approving`,
      '',
      `${outcome.blocking.length} requirement(s) are not met; audit mode reports them without stopping the pipeline.`,
    ];
  }
  if (outcome.decision === 'fail') {
    const n = outcome.blocking.length;
    return [
      `## ❌ Compliance check failed: do not approve this deployment`,
      '',
      `${n} requirement${n === 1 ? '' : 's'} at or above ${outcome.failOn} severity ${n === 1 ? 'is' : 'are'} not met. ` +
        'What failed and how to fix it is listed below.',
    ];
  }
  const waived =
    counts.waived > 0 ? ` ${counts.waived} exception(s) are covered by approved waivers, listed below.` : '';
  return [
    `## ✅ Compliance check passed: this deployment may be approved`,
    '',
    `Every requirement at or above ${outcome.failOn} severity is met.${waived}`,
  ];
}

/** An overridden clock is shown with the rule that judged it: waived (and by whom) or failed. */
function clockLine(ctx: ApproverContext, outcome: GateOutcome): string | undefined {
  const { clock } = ctx;
  if (clock.source === 'system') return undefined;
  const rule = outcome.results.find((r) => r.ruleId === CLOCK_RULE);
  const waiver = rule?.waivers[0];
  const verdict =
    rule?.status === 'waived' && waiver
      ? `waived by ${md(waiver.approver)} (${md(waiver.ticket)}): ${md(waiver.reason)}`
      : `${CLOCK_RULE} ${rule?.status ?? 'not judged'}`;
  return `fixed by the ${md(clock.source)} input at ${md(clock.now.toISOString())}; the runner's clock said ${md(clock.system.toISOString())}. ${verdict}`;
}

function deploymentLines(ctx: ApproverContext, outcome: GateOutcome): string[] {
  const d = ctx.deployment;
  const w = ctx.window;
  const short = d.commit ? d.commit.slice(0, 7) : 'unknown';
  const rows: [string, string][] = [
    ['Repository', md(d.repository)],
    ['Commit', `${markdownLink(short, d.commitUrl)}${d.message ? ` ${md(d.message)}` : ''}`],
    ['Ref', md(d.ref || 'unknown')],
  ];
  if (d.pullRequest) {
    rows.push([
      'Pull request',
      markdownLink(`#${d.pullRequest.number} ${d.pullRequest.title}`, d.pullRequest.url),
    ]);
  }
  rows.push(['Author', md(d.author ?? 'unknown')]);
  rows.push([
    'Change window',
    `${md(w.spec)} ${md(w.timezone)}: starts ${md(w.localTime)} (${w.inside ? 'inside' : 'outside'}), ` +
      `expected to end ${md(w.expectedEndLocal)} (${w.endsInside ? 'inside' : 'outside'}); ` +
      `${w.expectedDurationMinutes} of at most ${w.maxDurationMinutes} minutes`,
  ]);
  rows.push(['Run', markdownLink('workflow run (this attempt)', d.runUrl)]);
  const clock = clockLine(ctx, outcome);
  if (clock) rows.push(['Clock', clock]);
  return [
    '### What is being deployed',
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
}

function groupLine(results: RuleResult[]): string {
  const n = (s: RuleResult['status']) => results.filter((r) => r.status === s).length;
  const parts = [`${n('pass')} passed`];
  if (n('fail') + n('error') > 0) parts.push(`${n('fail') + n('error')} failed`);
  if (n('waived') > 0) parts.push(`${n('waived')} waived`);
  return parts.join(', ');
}

/**
 * The job summary for approvers: the decision in words, what is deployed, the results grouped by
 * regulation, every waiver with approver and expiry, and what failed with how to fix it. Rows are the
 * generic report's rows (src/report/summary.ts), so the two summaries never disagree.
 */
export function approverSummary(
  ctx: ApproverContext,
): (outcome: GateOutcome, opts: SummaryOptions) => string {
  return (outcome, opts) => {
    const where =
      opts.reportPath === undefined ? 'in the JSON report' : `in the JSON report at ${md(opts.reportPath)}`;
    const omitted = (count: number, what: string) =>
      `${count} more ${what} omitted; the full list is ${where}`;
    const head = [
      ...verdict(outcome),
      '',
      ...deploymentLines(ctx, outcome),
      '### Results by regulation',
      '',
      countLine(outcome),
      '',
    ];
    const sections: Section[] = [];
    for (const policy of outcome.policies) {
      const results = outcome.results.filter((r) => r.policyId === policy.id).sort(byAttention);
      if (results.length === 0) continue;
      const name = REGULATION[policy.id] ?? policy.title;
      sections.push({
        intro: [
          `#### ${md(name)}: ${groupLine(results)}`,
          '',
          '| Rule | Severity | Status | Message | Reference |',
          '| --- | --- | --- | --- | --- |',
        ],
        items: results.map(resultRow),
        essential: results.filter((r) => r.status === 'fail' || r.status === 'error').length,
        omitted: (count) => omitted(count, 'rows'),
      });
    }
    sections.push({
      intro:
        outcome.waivers.length === 0
          ? ['### Waivers', '', 'No waivers.']
          : ['### Waivers', '', WAIVER_TABLE_HEAD, WAIVER_TABLE_RULE],
      items: outcome.waivers.map(waiverRow),
      omitted: (count) => omitted(count, 'waivers'),
    });
    const failing = outcome.results
      .filter((r) => r.status === 'fail' || r.status === 'error')
      .sort(bySeverity);
    sections.push({
      intro: ['### What failed and how to fix it', ''],
      items: failing.length === 0 ? ['Nothing failed.'] : failing.map(fixItem),
      omitted: (count) => omitted(count, 'fixes'),
    });
    sections.push({
      intro: [
        `Evidence bundle: ${md(ctx.evidencePath)} (SHA-256 ${md(ctx.evidenceSha256)})${opts.reportPath ? ` · JSON report: ${md(opts.reportPath)}` : ''}`,
        '',
        // This step has no signing identity of its own (see the README, "Evidence an auditor can verify").
        'Not signed by this step: it is signed only where the caller runs the attest-evidence workflow (GitHub artifact attestations); without it the uploaded evidence is unsigned.',
      ],
      items: [],
      omitted: () => '',
    });
    return fitSections(head, sections, opts.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES);
  };
}
