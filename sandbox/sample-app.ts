/**
 * The sample team's checkout that sandbox releases deploy: a page and a health file, one dbmate migration,
 * the compliance manifest, and what preflight reads from CI (coverage and a security scan), at the paths
 * the README's caller names.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../src/policy/package-root.js';

// The clone, or the installed npm package (the rehearsal runs from both).
const ROOT = packageRoot();

/** The sample's Kubernetes manifests folder (the README caller's infra-manifests) and its one Deployment. */
export const SAMPLE_MANIFESTS = 'k8s';
export const SAMPLE_WORKLOAD = 'neonpro-web';

/** The sample's Deployment as release `n` ships it: release 2 is the checkout's, release 1 the cluster's. */
export function sampleDeployment(n: number): Record<string, unknown> {
  const labels = { app: SAMPLE_WORKLOAD };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: SAMPLE_WORKLOAD, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'web',
              image: `ghcr.io/neonpro/web:release-${n}`,
              ports: [{ containerPort: 3000 }],
              env: [{ name: 'RELEASE', value: String(n) }],
            },
          ],
        },
      },
    },
  };
}

export interface SampleCheckout {
  /** GITHUB_WORKSPACE: the repository root. */
  workspace: string;
  /** The app's folder (the workflow's working-directory), relative to the workspace. */
  appDir: string;
}

/** `healthy: false` ships a release whose health file says `degraded`, so validation fails. */
export function writeSampleCheckout(opts: { healthy: boolean; appDir: string }): SampleCheckout {
  const ws = mkdtempSync(join(tmpdir(), 'dg-playbook-'));
  const app = join(ws, opts.appDir);
  mkdirSync(join(app, 'db/migrations'), { recursive: true });
  writeFileSync(join(app, 'index.html'), '<h1>NeonPro, release 2</h1>');
  writeFileSync(join(app, 'health'), opts.healthy ? '{"status":"ok"}' : '{"status":"degraded"}');
  writeFileSync(
    join(app, 'db/migrations/20260301000000_consents.sql'),
    '-- migrate:up\nCREATE TABLE consents (id int);\n-- migrate:down\nDROP TABLE consents;\n',
  );
  // Playbook step 4A: the release's Kubernetes workload, at the path the README's caller names.
  mkdirSync(join(ws, SAMPLE_MANIFESTS), { recursive: true });
  writeFileSync(join(ws, SAMPLE_MANIFESTS, `${SAMPLE_WORKLOAD}.yaml`), stringify(sampleDeployment(2)));
  mkdirSync(join(ws, '.github'), { recursive: true });
  cpSync(join(ROOT, 'examples/compliance/compliance.json'), join(ws, '.github/compliance.json'));
  for (const [file, text] of Object.entries(standInReports('coverage/lcov.info', ['security/*.sarif']))) {
    mkdirSync(join(ws, dirname(file)), { recursive: true });
    writeFileSync(join(ws, file), text);
  }
  return { workspace: ws, appDir: opts.appDir };
}

/**
 * What CI would have reported, as the sandbox stands it in: 97 % line coverage at `coverage`, and a clean
 * CodeQL scan for each SARIF pattern (its `*` named `codeql`).
 */
export function standInReports(coverage: string, sarif: string[]): Record<string, string> {
  const reports: Record<string, string> = {};
  if (coverage) reports[coverage] = 'TN:\nSF:app/index.js\nLF:100\nLH:97\nend_of_record\n';
  for (const pattern of sarif.map((p) => p.trim()).filter(Boolean))
    reports[pattern.replace(/\*\*\//g, '').replace(/\*/g, 'codeql')] = JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'CodeQL', rules: [] } }, results: [] }],
    });
  return reports;
}

/**
 * What the team's backup drills would have recorded, as the sandbox stands it in: last night's verified
 * backup (an hour before `now`) and the monthly restore test nine days before, as db-migrate-backup's
 * manifests say it (verification.restore "matched" after a restore into a scratch database).
 */
export function standInBackupHistory(now = Date.now()): Record<string, unknown>[] {
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
  return [
    { id: 'nightly', verified: true, finishedAt: at(1) },
    {
      id: 'restore-test',
      verified: true,
      verification: { ok: true, checksums: true, tocEntries: 12, restore: 'matched' },
      finishedAt: at(9 * 24),
    },
  ];
}
