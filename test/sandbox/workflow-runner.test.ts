import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sandbox/runner/run-bundle.js';
import { localActionPath, runWorkflow, type WorkflowEvent } from '../../sandbox/workflow/run-workflow.js';
import { loadWorkflow } from '../../sandbox/workflow/workflow-file.js';
import { results } from '../support/run-results.js';

const workflow = await loadWorkflow(join(REPO_ROOT, 'test/fixtures/workflows/gated-pipeline.yml'));

function setup(deployWorks: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'dg-wf-'));
  const workspace = join(dir, 'ws');
  cpSync(join(REPO_ROOT, 'examples'), join(workspace, 'examples'), { recursive: true });
  const deployOk = join(dir, 'deploy-ok');
  if (deployWorks) writeFileSync(deployOk, '');
  const rollbackLog = join(dir, 'rollback.log');
  const asked: string[] = [];
  const events: WorkflowEvent[] = [];
  return {
    deployOk,
    rollbackLog,
    asked,
    events,
    options: (approved = true) => ({
      workflow,
      repoRoot: REPO_ROOT,
      workspace,
      env: { DEPLOY_OK: deployOk, ROLLBACK_LOG: rollbackLog },
      approve: async (job: string, environment: string) => {
        asked.push(`${job}:${environment}`);
        return approved;
      },
      onEvent: (e: WorkflowEvent) => events.push(e),
    }),
  };
}

describe('local workflow runner', () => {
  it("runs this repository's actions from the checkout, however a workflow names them", () => {
    expect(localActionPath('./actions/rollback')).toBe('./actions/rollback');
    expect(localActionPath('neonpro/deploy-gates/actions/rollback@v1')).toBe('./actions/rollback');
    expect(localActionPath('NeonPro/Deploy-Gates@0123abc')).toBe('.');
    expect(localActionPath('neonpro/deploy-gates-fork/actions/rollback@v1')).toBeUndefined();
    expect(localActionPath('actions/checkout@v4')).toBeUndefined();
    expect(localActionPath('acme/tools/actions/x@v1', 'acme/tools')).toBe('./actions/x');
  });

  it('runs the jobs in needs order through the committed bundle, asks for approval and passes outputs on', async () => {
    const s = setup(true);
    const run = await runWorkflow(s.options());
    expect(results(run)).toEqual({
      gate: 'success',
      approve: 'success',
      deploy: 'success',
      rollback: 'skipped',
    });
    expect(run.jobs.gate?.outputs).toEqual({ decision: 'pass' });
    expect(run.outputs).toEqual({ marker: 'deployed-after-pass' });
    expect(s.asked).toEqual(['approve:production']);
    expect(run.jobs.gate?.summary).toContain('Policy gate: ✅ Passed');
    expect(existsSync(s.rollbackLog)).toBe(false);
  });

  it('a failed deploy starts the rollback; re-running failed jobs reuses what succeeded and the approval', async () => {
    const s = setup(false);
    const first = await runWorkflow(s.options());
    expect(results(first)).toEqual({
      gate: 'success',
      approve: 'success',
      deploy: 'failure',
      rollback: 'success',
    });
    expect(first.jobs.deploy?.steps[0]?.errors[0]).toContain('deploy target unavailable');
    expect(readFileSync(s.rollbackLog, 'utf8')).toBe('rolled back\n');

    writeFileSync(s.deployOk, '');
    const second = await runWorkflow({ ...s.options(), previous: first });
    expect(second.attempt).toBe(2);
    expect(results(second)).toEqual({
      gate: 'success',
      approve: 'success',
      deploy: 'success',
      rollback: 'skipped',
    });
    expect(second.jobs.gate?.reused).toBe(true);
    expect(second.jobs.approve?.reused).toBe(true);
    expect(second.jobs.deploy?.reused).toBe(false);
    // The approval that passed in attempt 1 passes again: nobody is asked twice.
    expect(s.asked).toEqual(['approve:production']);
    expect(second.outputs).toEqual({ marker: 'deployed-after-pass' });
  });

  it('a refused approval deploys nothing', async () => {
    const s = setup(true);
    const run = await runWorkflow(s.options(false));
    expect(results(run)).toEqual({
      gate: 'success',
      approve: 'failure',
      deploy: 'skipped',
      rollback: 'success',
    });
    expect(run.jobs.approve?.environment).toEqual({ name: 'production', approved: false });
  });

  it('a failing gate stops the pipeline before the approval is asked', async () => {
    const s = setup(true);
    const run = await runWorkflow({
      ...s.options(),
      inputs: { facts: 'examples/policy-gate/facts-not-ready.json' },
    });
    expect(results(run)).toEqual({
      gate: 'failure',
      approve: 'skipped',
      deploy: 'skipped',
      rollback: 'success',
    });
    expect(s.asked).toEqual([]);
    expect(run.jobs.gate?.steps[1]?.errors.at(-1)).toMatch(/^Policy gate failed/);
  });

  it('runs a job that calls a reusable workflow: its inputs, secrets, approvals, outputs and re-runs', async () => {
    const s = setup(false);
    const caller = await loadWorkflow(join(REPO_ROOT, 'test/fixtures/workflows/caller.yml'));
    const given: unknown[] = [];
    const options = {
      ...s.options(),
      workflow: caller,
      vars: { FACTS_FILE: 'examples/policy-gate/facts-ready.json' },
      secrets: { TEAM_DEPLOY_KEY: 'k' },
      rewriteCallInputs: (job: string, inputs: Record<string, unknown>) => {
        given.push({ job, inputs });
        return inputs;
      },
    };
    const first = await runWorkflow(options);
    expect(results(first)).toEqual({ pipeline: 'failure', announce: 'skipped' });
    expect(given).toEqual([{ job: 'pipeline', inputs: { facts: 'examples/policy-gate/facts-ready.json' } }]);
    expect(results(first.jobs.pipeline?.called as typeof first)).toEqual({
      gate: 'success',
      approve: 'success',
      deploy: 'failure',
      rollback: 'success',
    });
    // The called workflow's approvals and events are named through the calling job.
    expect(s.asked).toEqual(['pipeline / approve:production']);
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'job-start', job: 'pipeline / deploy' }));

    writeFileSync(s.deployOk, '');
    const second = await runWorkflow({ ...options, previous: first });
    expect(results(second)).toEqual({ pipeline: 'success', announce: 'success' });
    const called = second.jobs.pipeline?.called;
    expect(called?.attempt).toBe(2);
    expect(called?.jobs.gate?.reused).toBe(true);
    expect(called?.jobs.deploy?.reused).toBe(false);
    expect(second.jobs.pipeline?.outputs).toEqual({ marker: 'deployed-after-pass' });
    expect(readFileSync(`${s.rollbackLog}.announced`, 'utf8')).toBe('deployed-after-pass\n');
  });

  it('a caller naming a workflow of another repository fails that job, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-wf-'));
    const file = join(dir, 'other.yml');
    writeFileSync(
      file,
      'on: workflow_dispatch\njobs:\n  x:\n    uses: acme/elsewhere/.github/workflows/a.yml@v1\n',
    );
    const run = await runWorkflow({
      workflow: await loadWorkflow(file),
      repoRoot: REPO_ROOT,
      workspace: dir,
    });
    expect(run.jobs.x?.result).toBe('failure');
    expect(run.jobs.x?.steps[0]?.errors[0]).toMatch(/acme\/elsewhere.* cannot run locally/);
  });

  it("rejects an invalid workflow with the parser's message", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-wf-'));
    writeFileSync(
      join(dir, 'bad.yml'),
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        run: echo both\n',
    );
    await expect(loadWorkflow(join(dir, 'bad.yml'))).rejects.toThrow(/is not a valid workflow/);
  });

  it('carries GITHUB_ENV and GITHUB_PATH to the later steps of the job, and reads a concurrency queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-wf-env-'));
    const bin = join(dir, 'bin');
    const file = join(dir, 'env.yml');
    writeFileSync(
      file,
      [
        'on: workflow_dispatch',
        'permissions: {}',
        'concurrency:',
        '  group: g',
        '  queue: max',
        'jobs:',
        '  one:',
        '    runs-on: ubuntu-latest',
        '    outputs:',
        `      seen: \${{ steps.read.outputs.seen }}`,
        '    steps:',
        '      - run: |',
        `          mkdir -p "${bin}" && printf '#!/bin/sh\\necho from-path\\n' > "${bin}/dg-tool" && chmod +x "${bin}/dg-tool"`,
        `          echo "${bin}" >> "$GITHUB_PATH"`,
        '          echo "GREETING=hello" >> "$GITHUB_ENV"',
        '      - id: read',
        '        run: echo "seen=$GREETING $(dg-tool)" >> "$GITHUB_OUTPUT"',
      ].join('\n'),
    );
    const run = await runWorkflow({
      workflow: await loadWorkflow(file),
      repoRoot: REPO_ROOT,
      workspace: dir,
    });
    expect(run.jobs.one?.outputs.seen).toBe('hello from-path');
  });
});
