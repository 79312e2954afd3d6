import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../sandbox/runner/run-bundle.js';
import { sarifValidator } from './support/sarif-schema.js';

// The CLI as users run it: `npx deploy-gates ...`, from its committed bundle.
function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/deploy-gates.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
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
});
