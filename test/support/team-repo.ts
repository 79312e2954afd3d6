import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

const SECRETS = [
  'VERCEL_TOKEN',
  'PRODUCTION_DATABASE_URL',
  'BACKUP_PASSPHRASE',
  'VALIDATION_TOKEN',
  'PREFLIGHT_DATABASE_URL',
  'PREFLIGHT_VERCEL_TOKEN',
];

/** The team's own migration: what a rehearsal of its caller must apply (the sample's is consents). */
export const TEAM_MIGRATION = '20260401000000_team_visits.sql';

/**
 * A team's repository of its own, a git repository outside this clone: a caller of the playbook
 * (.github/workflows/deploy.yml), its app in web/ with one dbmate migration, its compliance manifest and
 * what its CI leaves for preflight. `with` adds to the playbook job's `with:`; an untracked file shows
 * that only what git tracks is checked out.
 */
export function writeTeamRepo(opts: { with?: Record<string, string> } = {}): {
  repo: string;
  caller: string;
} {
  const repo = mkdtempSync(join(tmpdir(), 'dg-team-repo-'));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    writeFileSync(join(repo, file), text);
  };
  const extra = Object.entries(opts.with ?? {}).map(([k, v]) => `      ${k}: ${v}\n`);
  write(
    '.github/workflows/deploy.yml',
    [
      'name: Deploy to production',
      'on:',
      '  workflow_dispatch:',
      'jobs:',
      '  playbook:',
      '    uses: neonpro/deploy-gates/.github/workflows/playbook.yml@v1',
      '    permissions:',
      '      contents: read',
      '      pull-requests: read',
      '      checks: read',
      '      statuses: read',
      '      actions: read',
      '      deployments: write',
      '      issues: write',
      '    with:',
      '      vercel-project: team-web',
      '      working-directory: web',
      '      staging-endpoints: |',
      '        web=https://staging.team.example.org/health',
      '      monitoring-endpoints: |',
      '        status=https://status.team.example.org/',
      '      tls-hosts: team.example.org',
      '      backup-manifest: https://backups.team.example.org/nightly.json',
      '      security-incidents-url: https://api.team.example.org/api/security/incidents/recent',
      '      coverage-file: coverage/lcov.info',
      '      sarif-files: security/*.sarif',
      '      production-url: https://team.example.org',
      '      api-host-url: https://api.team.example.org',
      ...extra.map((l) => l.trimEnd()),
      '    secrets:',
      ...SECRETS.map((n) => `      ${n}: \${{ secrets.${n} }}`),
      '',
    ].join('\n'),
  );
  write('web/index.html', '<h1>Team web</h1>\n');
  write('web/health', '{"status":"ok"}\n');
  write(
    `web/db/migrations/${TEAM_MIGRATION}`,
    '-- migrate:up\nCREATE TABLE visits (id serial PRIMARY KEY, at timestamptz NOT NULL);\n-- migrate:down\nDROP TABLE visits;\n',
  );
  mkdirSync(join(repo, '.github'), { recursive: true });
  copyFileSync(join(ROOT, 'examples/compliance/compliance.json'), join(repo, '.github/compliance.json'));
  write('coverage/lcov.info', 'TN:\nSF:web/index.js\nLF:100\nLH:96\nend_of_record\n');
  write(
    'security/codeql.sarif',
    JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'CodeQL', rules: [] } }, results: [] }],
    }),
  );
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=Team', '-c', 'user.email=team@example.org', 'commit', '-q', '-m', 'app');
  write('web/untracked-notes.txt', 'not committed\n');
  return { repo, caller: join(repo, '.github/workflows/deploy.yml') };
}
