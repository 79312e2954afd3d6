import { escapeMarkdownInline } from '../report/markdown-escape.js';
import type { CheckFacts, ValidationFacts } from './measure.js';
import type { Judgement } from './verdict.js';

const VERDICT_LINE: Record<Judgement['verdict'], string> = {
  pass: '✅ **Healthy**: every check and threshold passed.',
  fail: '❌ **Unhealthy: roll back.**',
};

const ms = (n: number | undefined | null) => (n === undefined || n === null ? '—' : `${Math.round(n)} ms`);
const pct = (n: number | null) => (n === null ? '—' : `${(n * 100).toFixed(1)} %`);
/** A check that did not pass says why, e.g. what its body said, right where it is marked. */
const mark = (c: CheckFacts) =>
  c.verdict === 'pass'
    ? '✅ pass'
    : `❌ ${c.verdict}${c.lastProblem ? `: ${escapeMarkdownInline(c.lastProblem)}` : ''}`;

function tagTable(tag: string, checks: CheckFacts[], facts: ValidationFacts, broken: Set<string>): string {
  const target = tag === 'untagged' ? undefined : `tag:${tag}`;
  const limits = facts.thresholds
    .filter((t) => t.target === target || t.target === 'all')
    .map(
      (t) =>
        `${t.metric}${t.op}${t.limit}${t.severity === 'high' ? '' : ` (${t.severity})`} ${t.measured === null ? '—' : holdsMark(t, broken)}`,
    );
  const rows = checks.map(
    (c) =>
      `| ${escapeMarkdownInline(c.name)} | ${c.samples} | ${c.errored} | ${ms(c.latencyMs?.med)} | ${ms(c.latencyMs?.p95)} | ${ms(c.latencyMs?.max)} | ${pct(c.errorRate)} | ${mark(c)} |`,
  );
  return [
    `#### ${escapeMarkdownInline(tag)}`,
    '',
    '| Check | Samples | No answer | p50 | p95 | max | Error rate | Result |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `Thresholds: ${limits.length ? limits.join(' · ') : 'none'}`,
    '',
  ].join('\n');
}

/** Marked from the judgement's reasons, so a waived threshold is not shown as breaking the deploy. */
function holdsMark(t: ValidationFacts['thresholds'][number], broken: Set<string>): string {
  const value = t.metric === 'error_rate' ? pct(t.measured) : ms(t.measured);
  return `${value} ${broken.has(t.id) ? '❌' : '✅'}`;
}

/** What the on-call engineer reads first: the verdict, the reasons, then a table per tag. */
export function validationSummary(facts: ValidationFacts, judgement: Judgement): string {
  const byTag = new Map<string, CheckFacts[]>();
  for (const c of facts.checks) {
    for (const tag of c.tags.length ? c.tags : ['untagged']) byTag.set(tag, [...(byTag.get(tag) ?? []), c]);
  }
  const broken = new Set(judgement.reasons.map((r) => r.threshold));
  const reasons = judgement.reasons.map((r) => `- ${escapeMarkdownInline(r.sentence)}`);
  // Probes that got no answer count as errors; saying how many keeps a quiet server from reading as fast.
  const unanswered = facts.checks.reduce((n, c) => n + c.errored, 0);
  return [
    '### Post-deployment validation',
    '',
    VERDICT_LINE[judgement.verdict],
    ...(reasons.length ? ['', ...reasons] : []),
    '',
    `${facts.totals.samples} samples of ${facts.checks.length} checks against ${escapeMarkdownInline(facts.baseUrl ?? 'absolute URLs')}, ${unanswered} of them got no answer; overall p95 ${ms(facts.totals.latencyMs?.p95)}, error rate ${pct(facts.totals.errorRate)}.`,
    '',
    ...[...byTag].map(([tag, checks]) => tagTable(tag, checks, facts, broken)),
  ].join('\n');
}
