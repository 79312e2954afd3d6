import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlaybookSandbox, startPlaybookSandbox } from '../../sandbox/playbook.js';
import { readmeCaller } from '../../sandbox/readme-blocks.js';
import { rehearse } from '../../sandbox/rehearse.js';
import { results, why } from '../support/run-results.js';

// The README's caller, taken from the Markdown as a team copies it, rehearsed on the sandbox: the
// reusable playbook it calls runs with its with: and secrets:, only the production hosts pointed at
// the emulators.
let sandbox: PlaybookSandbox;
beforeAll(async () => {
  sandbox = await startPlaybookSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

describe("the README's caller, rehearsed", { timeout: 300_000 }, () => {
  it('releases a new deployment through every gate, without a rollback', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dg-caller-')), 'deploy.yml');
    writeFileSync(file, readmeCaller().text);
    const asked: string[] = [];
    // What the approvers had read when they were asked: the summaries of the jobs that had ended.
    const ended: Record<string, string> = {};
    let readBeforeApproval = '';
    const r = await rehearse(sandbox, {
      caller: file,
      onEvent: (e) => {
        if (e.type === 'job-end') ended[e.job.id] = e.job.summary;
      },
      approve: async (job, env) => {
        asked.push(`${job}:${env}`);
        readBeforeApproval = ended['playbook / compliance'] ?? '';
        return true;
      },
    });
    const called = r.run.jobs.playbook?.called;
    expect(r.run.result, why(called)).toBe('success');
    expect(results(called)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      'sign-off': 'skipped',
      db: 'success',
      deploy: 'success',
      validate: 'success',
      rollback: 'skipped',
      rejection: 'skipped',
      notify: 'success',
    });
    // The communication plan, as the README's caller wires it: every channel took every message.
    const got = sandbox.notify.received(r.release.name);
    expect(got.filter((m) => m.status >= 300)).toEqual([]);
    expect(got.filter((m) => m.channel === 'webhook').map((m) => m.phase)).toEqual([
      'started',
      'approval-requested',
      'approved',
      'outcome',
    ]);
    expect(got.filter((m) => m.channel === 'statuspage')).toHaveLength(1);
    expect(asked).toEqual(['playbook / approve:production']);
    // Coverage and scans came from the commit's green CI run (reports-workflow), not from the checkout.
    expect(r.ciRun).toMatchObject({
      workflow: 'ci.yml',
      artifact: 'reports',
      files: ['coverage/lcov.info', 'security/codeql.sarif'],
    });
    const preflight = called?.jobs.preflight?.summary ?? '';
    expect(preflight).toContain('#### Reports from CI');
    expect(preflight).toContain(`actions/runs/${r.ciRun?.runId})`);
    expect(sandbox.vercel.productionDeploymentId(r.release.name)).not.toBe(r.release.previousDeploymentId);
    // Only what names the team's production world was pointed at the sandbox; the rest ran as written.
    expect(r.changed.map((c) => c.input).sort()).toEqual(
      [
        'api-host-url',
        'backup-manifest',
        'clock-override',
        'waivers',
        'monitoring-endpoints',
        'security-incidents-url',
        'production-url',
        'staging-endpoints',
        'statuspage-api-url',
        'tls-hosts',
        'vercel-api-url',
        'vercel-team',
      ].sort(),
    );
    expect(r.secrets).toContainEqual({ name: 'INCIDENT_WEBHOOK', standIn: 'not set in the rehearsal' });
    expect(r.secrets.map((s) => s.name)).toContain('VALIDATION_TOKEN');
    expect(r.secrets).toContainEqual({ name: 'SLACK_WEBHOOK_URL', standIn: "the sandbox's Slack receiver" });

    // Playbook step 4A: the plan (dry run and diff of the sample's k8s/) was in compliance's summary when
    // the approval was asked; deploy applied it to the emulator's Deployment, journaled.
    expect(readBeforeApproval).toContain('## Infrastructure plan\n');
    expect(readBeforeApproval).toContain('deployment.apps/neonpro-web configured (server dry run)');
    expect(readBeforeApproval).toMatch(/^-\s+image: ghcr\.io\/neonpro\/web:release-1$/m);
    expect(readBeforeApproval).toMatch(/^\+\s+image: ghcr\.io\/neonpro\/web:release-2$/m);
    expect(called?.jobs.deploy?.summary).toContain('| `kubectl apply -f k8s` | applied |');
    const live = sandbox.kubernetes.get('Deployment', 'neonpro-web', 'neonpro');
    expect(live?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(JSON.stringify(live?.spec)).toContain('ghcr.io/neonpro/web:release-2');
    expect(r.infra).toEqual({
      namespace: 'neonpro',
      workloads: [
        { workload: 'deployment/neonpro-web', before: 'revision 1, image ghcr.io/neonpro/web:release-1' },
      ],
    });
    expect(r.secrets).toContainEqual({
      name: 'PREFLIGHT_KUBECONFIG',
      standIn: "a kubeconfig of the sandbox's Kubernetes API emulator (namespace neonpro)",
    });
    // The plan changed nothing: the only writes are the apply's, after the approval.
    const writes = sandbox.kubernetes.writes().map((w) => `${w.method} ${w.path}`);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.includes('/namespaces/neonpro/deployments/neonpro-web'))).toBe(true);
  });
});
