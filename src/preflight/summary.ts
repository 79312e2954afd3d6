import { escapeMarkdownInline as md } from '../report/markdown-escape.js';
import type { PreflightFacts } from './collect.js';
import type { BackupFacts } from './collectors/backups.js';
import type { CoverageFacts } from './collectors/coverage.js';
import type { DatabaseFacts } from './collectors/database.js';
import type { EndpointFacts } from './collectors/endpoints.js';
import type { IncidentFacts } from './collectors/incidents.js';
import type { ReportsFacts } from './collectors/reports.js';
import type { ReviewFacts } from './collectors/review.js';
import type { SecurityFacts } from './collectors/security.js';
import type { TlsFacts } from './collectors/tls.js';
import type { VercelEnvFacts } from './collectors/vercel-env.js';

const yes = (ok: boolean) => (ok ? '✅' : '❌');
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function endpoints(title: string, list: Record<string, EndpointFacts>): string {
  const rows = Object.entries(list).map(([name, e]) => [
    yes(e.ok),
    md(name),
    md(e.url),
    String(e.status ?? '—'),
    `${Math.round(e.latencyMs)} ms`,
    String(e.retries),
    // What went wrong, e.g. what a 200's body said instead of healthy.
    e.errorClass ? md(`${e.errorClass}${e.error ? `: ${e.error}` : ''}`) : '',
  ]);
  return `#### ${title}\n\n${table(['', 'Name', 'URL', 'Status', 'Latency', 'Retries', 'Error'], rows)}`;
}

/** One table per collector that ran, in the playbook's order, for the approvers reading the run page. */
export function preflightSummary(facts: PreflightFacts): string {
  const parts = ['### Preflight facts', ''];
  const f = facts as Record<string, unknown>;
  if (f.endpoints) parts.push(endpoints('Staging health', f.endpoints as Record<string, EndpointFacts>));
  if (f.monitoring) parts.push(endpoints('Monitoring', f.monitoring as Record<string, EndpointFacts>));
  if (f.tls) {
    const { hosts, minDaysLeft } = f.tls as { hosts: Record<string, TlsFacts>; minDaysLeft: number };
    const rows = Object.values(hosts).map((t) => [
      yes(t.valid && (t.daysLeft ?? -1) >= minDaysLeft),
      md(`${t.host}:${t.port}`),
      md(t.subject ?? '—'),
      md(t.issuer ?? '—'),
      String(t.daysLeft ?? '—'),
      t.protocol ?? '—',
      md(t.authorizationError ?? t.error ?? ''),
    ]);
    parts.push(
      `#### TLS (at least ${minDaysLeft} days left)\n\n${table(['', 'Host', 'Subject', 'Issuer', 'Days left', 'Protocol', 'Problem'], rows)}`,
    );
  }
  if (f.database) {
    const d = f.database as DatabaseFacts;
    const rows = d.migrations.map((m) => [
      m.tool,
      String(m.applied.length),
      md(m.pending.join(', ') || '—'),
      md(m.failed.join(', ') || '—'),
    ]);
    parts.push(
      `#### Database\n\n${yes(d.reachable)} ${d.reachable ? `PostgreSQL ${md(d.serverVersion ?? '?')}, answered in ${d.latencyMs} ms` : `unreachable: ${md(d.error ?? '')}`}\n\n${rows.length ? table(['Tool', 'Applied', 'Pending', 'Failed'], rows) : 'No known migration table.'}`,
    );
  }
  if (f.reports) {
    // The approvers see whose coverage and findings they judge: the commit's own green CI run.
    const r = f.reports as ReportsFacts;
    parts.push(
      `#### Reports from CI

Coverage and security scans read from artifact ${md(r.artifact)} (${md(r.digest ?? 'no digest recorded')}) of [${md(r.workflow)} run ${r.runNumber ?? r.runId}](${r.runUrl}), successful, commit ${md(r.headSha.slice(0, 12))}`,
    );
  }
  if (f.coverage) {
    const c = f.coverage as CoverageFacts;
    const pct = (n: number | null) => (n === null ? '—' : `${n} %`);
    parts.push(
      `#### Coverage (${c.format}, ${md(c.file)})\n\n${table(['Lines', 'Statements', 'Branches', 'Functions'], [[pct(c.lines), pct(c.statements), pct(c.branches), pct(c.functions)]])}`,
    );
  }
  if (f.security) {
    const s = f.security as SecurityFacts;
    const rows = Object.entries(s.byTool).map(([tool, c]) => [
      md(tool),
      String(c.critical),
      String(c.high),
      String(c.medium),
      String(c.low),
    ]);
    parts.push(
      `#### Security findings (${s.total})\n\n${table(['Tool', 'Critical', 'High', 'Medium', 'Low'], rows)}`,
    );
  }
  if (f.review) {
    const r = f.review as ReviewFacts;
    const pr = r.pullRequest
      ? `[#${r.pullRequest.number}](${r.pullRequest.url}) ${md(r.pullRequest.title)}`
      : 'no pull request found';
    const checks =
      r.requiredChecks.map((c) => `${md(c.name)}: ${c.conclusion}`).join(', ') || 'none required';
    parts.push(
      `#### Code review\n\n${pr}; approved by ${md(r.approvedBy.join(', ') || 'nobody')}; changes requested by ${md(r.changesRequestedBy.join(', ') || 'nobody')}; required checks: ${checks}`,
    );
  }
  if (f.vercel) {
    const v = f.vercel as VercelEnvFacts;
    parts.push(
      `#### Vercel production environment (${md(v.project)})\n\n${yes(v.missing.length === 0)} ${v.present.length} of ${v.required.length} required variables set${v.missing.length ? `; missing: ${md(v.missing.join(', '))}` : ''}`,
    );
  }
  if (f.backups) {
    const b = f.backups as BackupFacts;
    parts.push(
      `#### Backups\n\n${b.verified ? `Newest verified backup ${md(b.id ?? '?')} is ${b.ageHours} h old` : 'No verified backup found'}; ${b.restoreTestAgeDays != null ? `last restore test (${md(b.restoreTestId ?? '?')}) ${b.restoreTestAgeDays} days ago` : 'no restore test found'} (${md(b.source)})`,
    );
  }
  if (f.incidents) {
    const i = f.incidents as IncidentFacts;
    const open = i.openIncidents.map((o) => `${md(o.id)} ${o.severity}, ${md(o.status)}: ${md(o.title)}`);
    parts.push(
      `#### Security incidents

${yes(i.openBySeverity.critical + i.openBySeverity.high + i.openBySeverity.unclassified === 0)} ${i.open} open of ${i.total} recent (${md(i.source)})${open.length ? `\n\n${open.map((o) => `- ${o}`).join('\n')}` : ''}`,
    );
  }
  for (const e of (f.collectorErrors as { collector: string; message: string }[] | undefined) ?? []) {
    parts.push(`❌ The ${e.collector} collector could not run: ${md(e.message)}`);
  }
  return `${parts.join('\n\n')}\n\n`;
}
