import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readGateInputs } from '../../src/gate/gate-inputs.js';
import { prepareGate } from '../../src/gate/prepare-gate.js';
import { GateFailedError, publishOutcome } from '../../src/gate/publish-outcome.js';
import { mergeFacts } from '../../src/policy/facts.js';
import { decideGate } from '../../src/policy/gate.js';
import { runContext } from '../../src/runner/runner.js';
import { policy, rule, workspace } from '../policy/helpers.js';
import { memoryRunner } from '../support/memory-runner.js';

const NOW = new Date('2026-03-10T12:00:00Z');

function setup(files: Record<string, unknown> = {}) {
  const ws = workspace({
    'policies/p.json': policy([
      rule('tests-pass', {
        type: 'object',
        required: ['tests'],
        properties: { tests: { type: 'object', properties: { failed: { const: 0 } } } },
      }),
    ]),
    ...files,
  });
  const ctx = runContext({
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: join(ws, '.tmp'),
    GITHUB_ACTION: 'gate-step',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_RUN_ID: '42',
  });
  return { ws, ctx };
}

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
// No waiver here names a team, so GitHub is never asked.
const readGate = readGateInputs;
const NO_GITHUB = 'http://127.0.0.1:9';

describe('readGateInputs', () => {
  it('falls back to the action default policies, enforce, high and a report under RUNNER_TEMP', () => {
    const { ctx } = setup();
    const inputs = readGate(reader({}), ctx, {
      reportName: 'preflight',
      policies: 'builtin:preflight',
    });
    expect(inputs).toEqual({
      policySpecs: ['builtin:preflight'],
      waiversFile: undefined,
      failOn: 'high',
      mode: 'enforce',
      reportFile: join(ctx.runnerTemp, 'deploy-gates', 'preflight-gate-step.json'),
      sarifFile: undefined,
      junitFile: undefined,
      approvers: {
        missing:
          'no approvers file (.github/deploy-gates/approvers does not exist and waiver-approvers is not set)',
      },
      approversToken: undefined,
    });
  });

  it('an action without default policies needs the input', () => {
    const { ctx } = setup();
    expect(() => readGate(reader({}), ctx, { reportName: 'policy-gate' })).toThrow(
      expect.objectContaining({ input: 'policies', problem: 'is required but empty' }),
    );
  });

  it.each([
    ['mode', 'warn'],
    ['fail-on', 'urgent'],
    ['waivers', 'missing.yml'],
    ['report-file', '../../outside.json'],
  ])('refuses %s=%j as that input', (name, value) => {
    const { ctx } = setup();
    const read = () =>
      readGate(reader({ policies: 'policies/p.json', [name]: value }), ctx, { reportName: 'x' });
    expect(read).toThrow(InputError);
    expect(read).toThrow(expect.objectContaining({ input: name }));
  });
});

describe('prepareGate', () => {
  it('loads the listed policies and the waivers file', async () => {
    const { ws, ctx } = setup({
      'waivers.json': { waivers: [] },
    });
    const inputs = readGate(reader({ policies: 'policies/p.json', waivers: 'waivers.json' }), ctx, {
      reportName: 'x',
    });
    const prepared = await prepareGate(inputs, ws, NO_GITHUB);
    expect(prepared.policies.map((p) => p.policy.id)).toEqual(['test/policy']);
    expect(prepared.waivers).toEqual([]);
  });

  it('a policy glob that matches nothing is an input error on policies', async () => {
    const { ws, ctx } = setup();
    const inputs = readGate(reader({ policies: 'nowhere/*.json' }), ctx, { reportName: 'x' });
    await expect(prepareGate(inputs, ws, NO_GITHUB)).rejects.toMatchObject({ input: 'policies' });
  });
});

describe('publishOutcome', () => {
  async function decide(failed: number, mode: 'enforce' | 'audit') {
    const { ws, ctx } = setup();
    const inputs = readGate(
      reader({
        policies: 'policies/p.json',
        mode,
        'sarif-file': 'out/gate.sarif',
        'junit-file': 'out/gate.xml',
      }),
      ctx,
      { reportName: 'unit' },
    );
    const prepared = await prepareGate(inputs, ws, NO_GITHUB);
    const outcome = await decideGate({
      ...prepared,
      facts: mergeFacts([{ tests: { failed } }], NOW),
      failOn: inputs.failOn,
      mode: inputs.mode,
      now: NOW,
    });
    return { ws, ctx, inputs, outcome };
  }

  it('a pass writes every report, the summary and the outputs', async () => {
    const { ctx, inputs, outcome } = await decide(0, 'enforce');
    const runner = memoryRunner();
    await publishOutcome(runner, ctx, outcome, inputs, 'Unit gate', '### Measured\n');
    expect(runner.outputs).toEqual({
      decision: 'pass',
      failed: '0',
      waived: '0',
      passed: '1',
      'not-checked': '0',
      report: inputs.reportFile,
    });
    const report = JSON.parse(readFileSync(inputs.reportFile, 'utf8'));
    expect(report.decision).toBe('pass');
    expect(report.run).toMatchObject({ repository: 'acme/app', runId: '42', step: 'gate-step' });
    expect(existsSync(inputs.sarifFile ?? '')).toBe(true);
    expect(readFileSync(inputs.junitFile ?? '', 'utf8')).toContain('<testsuites');
    // The gate's own heading first; the action's details after the decision, as its subsections.
    expect(runner.summary.startsWith('## Unit gate: ')).toBe(true);
    expect(runner.summary.endsWith('\n\n### Measured\n')).toBe(true);
    expect(runner.log.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('an enforcing fail annotates the rule and throws after publishing', async () => {
    const { ctx, inputs, outcome } = await decide(3, 'enforce');
    const runner = memoryRunner();
    const published = publishOutcome(runner, ctx, outcome, inputs, 'Unit gate');
    await expect(published).rejects.toBeInstanceOf(GateFailedError);
    await expect(published).rejects.toThrow(
      'Unit gate failed: 1 rule(s) at or above high did not pass: tests-pass',
    );
    expect(runner.outputs.decision).toBe('fail');
    expect(runner.outputs.failed).toBe('1');
    expect(runner.log.some((l) => l.level === 'error' && l.target?.title?.includes('tests-pass'))).toBe(true);
    expect(JSON.parse(readFileSync(inputs.reportFile, 'utf8')).decision).toBe('fail');
  });

  it('an auditing fail warns and does not throw', async () => {
    const { ctx, inputs, outcome } = await decide(3, 'audit');
    const runner = memoryRunner();
    await publishOutcome(runner, ctx, outcome, inputs, 'Unit gate');
    expect(runner.outputs.decision).toBe('fail');
    expect(runner.log).toContainEqual({
      level: 'warning',
      message: 'Unit gate would fail (audit mode, not enforced): tests-pass',
      target: undefined,
    });
  });
});
