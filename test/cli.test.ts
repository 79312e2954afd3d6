import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../sandbox/runner/run-bundle.js';
import { sarifValidator } from './support/sarif-schema.js';

// The CLI as users run it: `npx deploy-gates ...`, from its committed bundle.
function cli(...args: string[]) {
  return cliWith({}, ...args);
}
function cliWith(env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/deploy-gates.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const POLICY = 'examples/policy-gate/release-readiness.json';

describe('deploy-gates CLI', () => {
  it('policy test runs the policy tests and ends with a pass/fail line', () => {
    const run = cli('policy', 'test', 'examples');
    expect(run.code).toBe(0);
    expect(run.out).toContain('ok   an expired waiver is not honoured');
    expect(run.out.trim().split('\n').at(-1)).toBe('5 passed, 0 failed');
  });

  it('policy eval prints one line per rule and exits 1 when the gate fails', () => {
    const run = cli(
      'policy',
      'eval',
      '--policies',
      POLICY,
      '--facts',
      'examples/policy-gate/facts-not-ready.json',
      '--now',
      '2026-06-01T00:00:00Z',
    );
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^FAIL {3}critical example\.no-critical-findings {2}.*\/security\/critical must be 0 \(found 1\)$/m,
    );
    expect(run.out).toContain('decision: fail (0 passed, 4 failed, 0 waived; fail-on high, mode enforce)');
  });

  it('policy eval passes a ready release and can write SARIF', () => {
    const text = cli(
      'policy',
      'eval',
      '--policies',
      POLICY,
      '--facts',
      'examples/policy-gate/facts-ready.json',
    );
    expect(text.code).toBe(0);
    const sarif = cli(
      'policy',
      'eval',
      '--policies',
      POLICY,
      '--facts',
      'examples/policy-gate/facts-not-ready.json',
      '--format',
      'sarif',
      '--mode',
      'audit',
    );
    expect(sarif.code).toBe(0);
    const validate = sarifValidator();
    expect(validate(JSON.parse(sarif.out))).toBe(true);
  });

  it('bad input and bad usage exit 2 with one clear message', () => {
    const missing = cli('policy', 'eval', '--policies', POLICY, '--facts', 'nope.json');
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toBe(
      'error: Input "facts": nope.json does not exist. Check the path; relative paths are read from the workspace (GITHUB_WORKSPACE).',
    );
    const usage = cli('policy', 'frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^Usage:/);
  });

  describe('rehearse', () => {
    const caller = (text: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'dg-cli-caller-')), 'deploy.yml');
      writeFileSync(file, text);
      return file;
    };
    const firstLine = (text: string) => text.trim().split('\n')[0];

    it('without a caller file: one message, the usage, exit 2', () => {
      const r = cli('rehearse');
      expect(r.code).toBe(2);
      expect(firstLine(r.err)).toBe(
        'error: give your caller workflow file, e.g. deploy-gates rehearse .github/workflows/deploy.yml',
      );
      expect(r.err).toContain('Usage: deploy-gates rehearse <caller.yml>');
      expect(r.out).toBe('');
    });

    it('a caller that does not exist, or calls no playbook: one message, exit 2, nothing started', () => {
      const missing = cli('rehearse', 'nowhere/deploy.yml');
      expect(missing.code).toBe(2);
      expect(missing.err.trim()).toBe(
        `error: ${join(REPO_ROOT, 'nowhere/deploy.yml')} does not exist: give the path of your caller workflow`,
      );
      const file = caller(
        'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
      );
      const r = cli('rehearse', file);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toBe(
        `error: ${file} has no job that calls the playbook: a rehearsal runs a caller with a job \`uses: neonpro/deploy-gates/.github/workflows/playbook.yml@v1\``,
      );
      expect(r.out).toBe('');
    });

    it('without PostgreSQL server binaries: says what to install, exit 2', () => {
      const file = caller(
        'on: workflow_dispatch\njobs:\n  playbook:\n    uses: neonpro/deploy-gates/.github/workflows/playbook.yml@v1\n    with:\n      vercel-project: web\n',
      );
      const r = cliWith({ PG_BIN: mkdtempSync(join(tmpdir(), 'dg-no-pg-')) }, 'rehearse', file);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(
        /^error: PG_BIN=.* does not contain initdb and postgres\. .*apt-get install postgresql/,
      );
      expect(r.out).toBe('');
    });
  });
});
