import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionRun, REPO_ROOT, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';
import { sarifValidator } from '../support/sarif-schema.js';

// The root action, run from its committed bundle as the runner runs it.
const ACTION = 'dist/index.js';
const runs: ActionRun[] = [];

async function gate(inputs: Record<string, string>, files: Record<string, unknown> = {}): Promise<ActionRun> {
  const ws = workspace(files);
  cpSync(join(REPO_ROOT, 'examples/policy-gate'), ws, { recursive: true });
  const run = await runBundle({ action: ACTION, workspace: ws, inputs, stepId: 'gate' });
  runs.push(run);
  return run;
}

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');

describe('policy gate action', () => {
  it('passes a ready release and reports it', async () => {
    const run = await gate({
      policies: 'release-readiness.json',
      facts: 'facts-ready.json',
      waivers: 'waivers.yaml',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', failed: '0', waived: '0', passed: '4' });
    expect(run.summary).toContain('Policy gate: ✅ Passed');
    // The waiver was not needed this time: a notice, not an error.
    expect(run.annotations.map((a) => a.level)).toEqual(['notice']);
    const report = JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8'));
    expect(report.decision).toBe('pass');
    expect(report.run).toMatchObject({ step: 'gate' });
    expect(report.factsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.outputs.report).toBe(join(run.runnerTemp, 'deploy-gates', 'policy-gate-gate.json'));
  });

  it('fails the step on failures at or above fail-on, with annotations on the rule lines, SARIF and JUnit', async () => {
    const run = await gate({
      policies: 'release-readiness.json',
      facts: 'facts-not-ready.json',
      waivers: 'waivers.yaml',
      'sarif-file': 'out/gate.sarif',
      'junit-file': 'out/gate.xml',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'fail', failed: '3', waived: '1', passed: '0' });
    const ruleErrors = errors(run).filter((a) => a.file === 'release-readiness.json');
    expect(ruleErrors.map((a) => [a.title, a.line])).toEqual([
      ['example.no-critical-findings (critical)', 27],
      ['example.certificate-valid (high)', 45],
    ]);
    expect(errors(run).at(-1)?.message).toMatch(
      /^Policy gate failed: 2 rule\(s\) at or above high did not pass/,
    );
    expect(run.annotations.find((a) => a.level === 'warning')?.title).toBe('example.log-level (low)');
    expect(run.summary).toContain('Policy gate: ❌ Failed');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);

    const sarif = JSON.parse(readFileSync(join(run.workspace, 'out/gate.sarif'), 'utf8'));
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual([
      'example.certificate-valid',
      'example.coverage-lines',
      'example.log-level',
      'example.no-critical-findings',
    ]);
    expect(readFileSync(join(run.workspace, 'out/gate.xml'), 'utf8')).toMatch(
      /<testsuites [^>]*tests="4" failures="3"/,
    );
  });

  it('audit mode reports the same decision without failing the step', async () => {
    const run = await gate({
      policies: 'release-readiness.json',
      facts: 'facts-not-ready.json',
      mode: 'audit',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('fail');
    expect(run.summary).toContain('Policy gate: ⚠️ Audit: would fail');
    expect(errors(run)).toEqual([]);
    expect(
      run.annotations.some((a) => a.level === 'warning' && /would fail \(audit mode/.test(a.message)),
    ).toBe(true);
  });

  it('merges facts files in order, later ones winning', async () => {
    const run = await gate(
      { policies: 'release-readiness.json', facts: 'facts-not-ready.json\nfix.yaml', 'fail-on': 'low' },
      {
        'fix.yaml':
          'coverage:\n  lines: 99\nsecurity:\n  critical: 0\ntls:\n  notAfter: "2099-01-01T00:00:00Z"\nenv:\n  LOG_LEVEL: warn\n',
      },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', passed: '4' });
  });

  it('loads every policy a glob matches', async () => {
    const run = await gate({ policies: 'release-*.json', facts: 'facts-ready.json' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe('4');
  });
});

describe('policy gate action: bad input', () => {
  const base = { policies: 'release-readiness.json', facts: 'facts-ready.json' };
  const cases: [string, Record<string, string>, Record<string, unknown>, RegExp][] = [
    [
      'malformed policy JSON',
      { ...base, policies: 'broken.json' },
      { 'broken.json': '{\n  "id": "x",\n  "rules": [\n    {"id": "a"}\n    {"id": "b"}\n  ]\n}\n' },
      /^Input "policies": broken\.json is not valid JSON at line 5, column 5: .*Fix the syntax of that file\.$/,
    ],
    [
      'a policy that breaks the meta-schema',
      { ...base, policies: 'odd.json' },
      {
        'odd.json': {
          id: 'odd',
          title: 'Odd',
          version: '1.0.0',
          rules: [
            { id: 'r', title: 'R', severity: 'urgent', reference: 'x', remediation: 'y', schema: true },
          ],
        },
      },
      /^Input "policies": odd\.json line 9: \/rules\/0\/severity must be one of "critical", "high", "medium", "low"\. Make the file match policies\/policy\.schema\.json\.$/,
    ],
    [
      'an unknown severity for fail-on',
      { ...base, 'fail-on': 'urgent' },
      {},
      /^Input "fail-on": "urgent" is not one of critical, high, medium, low\. Set fail-on to one of/,
    ],
    ['an unknown mode', { ...base, mode: 'dry' }, {}, /^Input "mode": "dry" is not one of enforce, audit\./],
    [
      'a missing facts file',
      { ...base, facts: 'nope.json' },
      {},
      /^Input "facts": nope\.json does not exist\. Check the path/,
    ],
    [
      'a waiver without expiry',
      { ...base, waivers: 'w.yaml' },
      {
        'w.yaml':
          'waivers:\n  - rule: example.coverage-lines\n    reason: r\n    approver: cto\n    ticket: T-1\n',
      },
      /^Input "waivers": w\.yaml line 2: the waiver for rule "example\.coverage-lines" has no expiresAt\. Every waiver needs an expiry/,
    ],
    [
      'an unknown builtin policy',
      { ...base, policies: 'builtin:nope' },
      {},
      /^Input "policies": there is no builtin policy "nope"/,
    ],
    ['no facts at all', { ...base, facts: ' ' }, {}, /^Input "facts": is required but empty\./],
    [
      'a policies folder holding no policy (a gate of no rule would pass anything)',
      { ...base, policies: 'gates' },
      { 'gates/README.md': 'policies go here', 'gates/x.test.json': { cases: [] } },
      /^Input "policies": the folder gates holds no policy file .*\. Put the policy files in the folder/,
    ],
  ];

  for (const [name, inputs, files, message] of cases) {
    it(`${name}: one clear error, exit 1, no stack trace, nothing written`, async () => {
      const run = await gate(inputs, files);
      expect(run.exitCode).toBe(1);
      expect(errors(run).map((a) => a.message)).toEqual([expect.stringMatching(message)]);
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
      expect(run.outputs).toEqual({});
      expect(run.summary).toBe('');
      expect(existsSync(join(run.runnerTemp, 'deploy-gates'))).toBe(false);
    });
  }
});
