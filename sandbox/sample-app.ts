/**
 * The sample team's checkout that sandbox releases deploy: a page and a health file, one dbmate migration,
 * the compliance manifest, and what preflight reads from CI (coverage and a security scan), at the paths
 * the README's caller names.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/policy/package-root.js';

// The clone, or the installed npm package (the rehearsal runs from both).
const ROOT = packageRoot();

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
  mkdirSync(join(ws, '.github'), { recursive: true });
  cpSync(join(ROOT, 'examples/compliance/compliance.json'), join(ws, '.github/compliance.json'));
  mkdirSync(join(ws, 'coverage'));
  writeFileSync(join(ws, 'coverage/lcov.info'), 'TN:\nSF:app/index.js\nLF:100\nLH:97\nend_of_record\n');
  mkdirSync(join(ws, 'security'));
  writeFileSync(
    join(ws, 'security/codeql.sarif'),
    JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'CodeQL', rules: [] } }, results: [] }],
    }),
  );
  return { workspace: ws, appDir: opts.appDir };
}
