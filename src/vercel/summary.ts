import { escapeMarkdownInline as md, tableCodeSpan } from '../report/markdown-escape.js';

export function deploySummary(o: {
  project: string;
  deployment: { id: string; url: string; inspectorUrl?: string; uploadedFiles: number; totalFiles: number };
  previous: string | undefined;
  production: boolean;
  productionUrl: string;
  phases: Record<string, number>;
  reused: boolean;
  alreadyLive: boolean;
}): string {
  const d = o.deployment;
  const rows = [
    `| Deployment | ${tableCodeSpan(d.id)}${d.url ? ` — https://${md(d.url)}` : ''}${d.inspectorUrl ? ` ([inspect](${d.inspectorUrl}))` : ''} |`,
    `| Files | ${o.reused ? "reused this run's deployment" : `${d.uploadedFiles} uploaded of ${d.totalFiles}`} |`,
    `| Target | ${o.production ? `production${o.productionUrl ? ` — ${md(o.productionUrl)}` : ''}` : 'preview'} |`,
    `| Previous production | ${o.previous ? `${tableCodeSpan(o.previous)} (what rollback returns to)` : 'none'} |`,
    `| Phases | ${
      Object.entries(o.phases)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ') || '—'
    } |`,
  ];
  const head = o.alreadyLive
    ? 'already production: nothing was changed'
    : o.production
      ? 'live in production'
      : 'deployed as a preview';
  return [`### Vercel: ${md(o.project)} ${head}`, '', '| | |', '| --- | --- |', ...rows, ''].join('\n');
}
