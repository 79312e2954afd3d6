import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GateFailedError } from '../../src/gate/publish-outcome.js';
import { type CollectedFacts, type GateAction, runGate } from '../../src/gate/run-gate.js';
import { mergeFacts } from '../../src/policy/facts.js';
import { policy, rule, workspace } from '../policy/helpers.js';
import { type MemoryRunner, memoryRunner } from '../support/memory-runner.js';

const NOW = new Date('2026-03-10T12:00:00Z');

function setup(inputs: Record<string, string>) {
  const ws = workspace({
    'policies/p.json': policy([
      rule('ok', {
        type: 'object',
        required: ['ok'],
        properties: { ok: { const: true } },
      }),
    ]),
  });
  const runner = memoryRunner(
    { policies: 'policies/p.json', ...inputs },
    { GITHUB_WORKSPACE: ws, RUNNER_TEMP: join(ws, '.tmp'), GITHUB_ACTION: 'step' },
  );
  return { ws, runner };
}

/** An action that records when each of its parts ran, and what the runner had seen by then. */
function recording(
  runner: MemoryRunner,
  ok: boolean,
  over: Partial<GateAction<string, CollectedFacts>> = {},
) {
  const calls: string[] = [];
  const action: GateAction<string, CollectedFacts> = {
    title: 'Unit gate',
    reportName: 'unit',
    readInputs: ({ input }) => {
      calls.push('read');
      return input('name');
    },
    collect: async (_step, name) => {
      calls.push(`collect ${name}`);
      return { facts: mergeFacts([{ ok }], NOW), now: NOW };
    },
    decided: (_step, outcome) => {
      calls.push(`decided ${outcome.decision} before outputs: ${Object.keys(runner.outputs).length}`);
      return { details: 'DETAILS\n' };
    },
    ...over,
  };
  return { action, calls };
}

describe('runGate', () => {
  it('reads, collects, decides, then publishes (the declared secrets are masked by runAction, test/inputs/masking.test.ts)', async () => {
    const { runner } = setup({ name: 'web' });
    const { action, calls } = recording(runner, true);
    await runGate(runner, action);
    expect(calls).toEqual(['read', 'collect web', 'decided pass before outputs: 0']);
    expect(runner.outputs.decision).toBe('pass');
    expect(runner.summary).toMatch(/^## .*\n[\s\S]*\n\nDETAILS\n$/);
    expect(existsSync(runner.outputs.report ?? '')).toBe(true);
  });

  it('a bad gate input stops it before the action reads or measures anything', async () => {
    const { runner } = setup({ mode: 'sometimes' });
    const { action, calls } = recording(runner, true);
    await expect(runGate(runner, action)).rejects.toMatchObject({ input: 'mode' });
    expect(calls).toEqual([]);
    expect(runner.outputs).toEqual({});
  });

  it('a policy that does not load stops it before anything is measured', async () => {
    const { runner } = setup({ policies: 'missing/*.json' });
    const { action, calls } = recording(runner, true);
    await expect(runGate(runner, action)).rejects.toMatchObject({ input: 'policies' });
    expect(calls).toEqual(['read']);
  });

  it("the action's mode wins over the mode input, and its JUnit default is written", async () => {
    const { runner, ws } = setup({});
    const { action } = recording(runner, false, {
      collect: async () => ({ facts: mergeFacts([{ ok: false }], NOW), now: NOW, mode: 'audit' }),
      junitFile: (ctx) => join(ctx.runnerTemp, 'unit.xml'),
    });
    await runGate(runner, action);
    expect(runner.outputs.decision).toBe('fail');
    expect(runner.log.some((l) => l.level === 'warning' && l.message.includes('audit mode'))).toBe(true);
    expect(existsSync(join(ws, '.tmp', 'unit.xml'))).toBe(true);
  });

  it('an enforcing fail throws after publishing', async () => {
    const { runner } = setup({});
    const { action } = recording(runner, false);
    await expect(runGate(runner, action)).rejects.toBeInstanceOf(GateFailedError);
    expect(runner.outputs.decision).toBe('fail');
  });
});

describe('action entries', () => {
  it('are side-effect free on import and export main(runner)', async () => {
    const runner = memoryRunner();
    for (const name of [
      'policy-gate',
      'compliance-gate',
      'preflight-check',
      'post-validate',
      'vercel-deploy',
    ]) {
      const entry = await import(`../../src/actions/${name}.ts`);
      expect(typeof entry.main).toBe('function');
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(runner.log).toEqual([]);
  });
});
