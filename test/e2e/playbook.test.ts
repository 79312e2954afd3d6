import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_NOTIFY_CHANNELS } from '../../sandbox/notify.js';
import {
  type PlaybookSandbox,
  REPOSITORY,
  SANDBOX_EMERGENCY_ROLES,
  SANDBOX_EMERGENCY_SIGN_OFF,
  SANDBOX_ROLES,
  SANDBOX_SIGN_OFF,
  startPlaybookSandbox,
} from '../../sandbox/playbook.js';
import type { WorkflowRun } from '../../sandbox/workflow/run-workflow.js';
import { approveTogether } from '../support/approve-together.js';
import { results, why } from '../support/run-results.js';
import { sampleWorkload } from '../support/sample-workload.js';

// The playbook workflow itself, driven job by job through the local runner against the sandbox: every
// `uses: neonpro/deploy-gates/actions/<name>@v1` step runs from its committed bundle.
let sandbox: PlaybookSandbox;
beforeAll(async () => {
  sandbox = await startPlaybookSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const githubDeployment = (run: WorkflowRun) =>
  sandbox.github
    .deployments(REPOSITORY)
    .find((d) => d.id === Number(run.jobs.deploy?.outputs['github-deployment-id']));
const workload = (namespace: string) => sampleWorkload(sandbox.kubernetes, namespace);
const tableExists = async (db: string, t: string) =>
  (await sandbox.pg.psql(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${t}'`, db)) ===
  '1';

// Whole pipelines of real processes, backups and builds: minutes, not the default 60 s.
describe('the playbook workflow, end to end on the sandbox', { timeout: 300_000 }, () => {
  it('happy path: gates pass, approval, backup then migration, staged deploy promoted, validation passes, no rollback', async () => {
    const release = await sandbox.release({ healthy: true });
    const asked: string[] = [];
    const run = await release.run({
      approve: async (job, env) => {
        asked.push(`${job}:${env}`);
        return true;
      },
    });
    expect(results(run), why(run)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      'sign-off': 'skipped',
      rejection: 'skipped',
      db: 'success',
      deploy: 'success',
      validate: 'success',
      rollback: 'skipped',
      notify: 'skipped',
    });
    expect(asked).toEqual(['approve:production']);
    // GitHub's record of the approval, read at the start of db and of deploy, is on the run page.
    for (const job of ['db', 'deploy']) {
      expect(run.jobs[job]?.summary, job).toContain('## ✅ Approval of production holds');
      expect(run.jobs[job]?.summary, job).toContain(
        '| @medical-director | approved | Summaries read; approved | production |',
      );
    }
    expect(sandbox.vercel.productionDeploymentId(release.name)).not.toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(true);
    expect(run.jobs.db?.outputs['backup-id']).toBeTruthy();
    expect(run.jobs.compliance?.outputs.evidence).toBeTruthy();
    const recorded = githubDeployment(run);
    expect(recorded?.statuses.map((s) => s.state)).toEqual(['success', 'in_progress']);
    expect(recorded?.statuses[0]?.environment_url).toBe(sandbox.vercel.productionUrl(release.name));
  });

  it('a failing validation rolls back the deployment, the database and the infrastructure, records the incident; a re-run changes nothing more', async () => {
    const release = await sandbox.release({ healthy: false });
    expect(workload(release.namespace)).toEqual({ revision: '1', image: 'ghcr.io/neonpro/web:release-1' });
    // With the infrastructure step: the sample's k8s/ planned, applied, and undone by the rollback.
    const run = await release.run({ inputs: release.infra.inputs, secrets: release.infra.secrets });
    expect(results(run), why(run)).toMatchObject({
      db: 'success',
      deploy: 'success',
      validate: 'failure',
      rollback: 'success',
    });
    expect(run.jobs.compliance?.summary).toContain('## Infrastructure plan\n');
    expect(run.jobs.deploy?.outputs['infra-apply']).toBe('success');
    expect(run.jobs.deploy?.summary).toContain('| `kubectl apply -f k8s` | applied |');
    expect(run.jobs.rollback?.summary).toContain(
      '| `kubectl rollout undo deployment/neonpro-web` | undone |',
    );
    // rollout undo: release 1's template again, as the Deployment's next revision.
    expect(workload(release.namespace)).toEqual({ revision: '3', image: 'ghcr.io/neonpro/web:release-1' });
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);
    const incidents = () => sandbox.github.issues(REPOSITORY).filter((i) => i.labels.includes('incident'));
    expect(incidents()).toHaveLength(1);
    expect(githubDeployment(run)?.statuses[0]?.state).toBe('failure');

    // "Re-run failed jobs": validate fails again, the rollback resumes and finds nothing left to do.
    const rerun = await release.run({
      previous: run,
      inputs: release.infra.inputs,
      secrets: release.infra.secrets,
    });
    expect(rerun.jobs.db?.reused).toBe(true);
    expect(results(rerun)).toMatchObject({ validate: 'failure', rollback: 'success' });
    // The journal: the undo ran once (a second rollout undo would bring release 2 back).
    expect(rerun.jobs.rollback?.summary).toContain('already done (attempt 1)');
    expect(workload(release.namespace)).toEqual({ revision: '3', image: 'ghcr.io/neonpro/web:release-1' });
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(incidents()).toHaveLength(1);
  });

  it('the communication plan: each channel gets started, approval requested, approved, the incident and the outcome, in order, in payloads its service accepts', async () => {
    const release = await sandbox.release({ healthy: false, name: 'comms-clinic' });
    const run = await release.run({
      inputs: {
        'notify-channels': SANDBOX_NOTIFY_CHANNELS,
        'statuspage-api-url': sandbox.notify.statuspageApiUrl,
      },
      secrets: sandbox.notify.secrets,
    });
    expect(results(run), why(run)).toMatchObject({
      validate: 'failure',
      rollback: 'success',
      notify: 'success',
    });
    const got = sandbox.notify.received(release.name);
    expect(got.filter((r) => r.status >= 300)).toEqual([]);
    const phases = ['started', 'approval-requested', 'approved', 'incident', 'outcome'];
    expect(got.filter((r) => r.channel === 'webhook').map((r) => r.phase)).toEqual(phases);
    const to = 'comms-clinic to production';
    const headlines = [
      `Deploy of ${to} started`,
      `Approval requested: deploy of ${to}`,
      `Deploy of ${to} approved`,
      'Incident: comms-clinic in production',
      `Deploy of ${to} was rolled back`,
    ];
    for (const channel of ['slack', 'teams', 'webhook'])
      expect(
        got.filter((r) => r.channel === channel).map((r) => r.headline),
        channel,
      ).toEqual(headlines);
    // The status page gets what its readers need: the incident and the outcome.
    expect(got.filter((r) => r.channel === 'statuspage').map((r) => r.headline)).toEqual([
      headlines[3],
      headlines[4],
    ]);
    expect(run.jobs.notify?.summary).toContain('| Statuspage | ✅ sent |');
    // The notification secrets reached the notify steps alone, and were never printed.
    for (const secret of Object.values(sandbox.notify.secrets))
      for (const job of Object.values(run.jobs)) expect(job.summary).not.toContain(secret);
  });

  it('a rollback that fails once (GitHub down) finishes when the failed jobs are re-run; one incident', async () => {
    const release = await sandbox.release({ healthy: false });
    const run = await release.run({
      onEvent: (e) => {
        if (e.type === 'job-start' && e.job === 'rollback') sandbox.github.failNext(100_000);
      },
    });
    sandbox.github.failNext(0);
    expect(results(run), why(run)).toMatchObject({ validate: 'failure', rollback: 'failure' });
    // The app and database came back even though the records could not be written.
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);

    const rerun = await release.run({ previous: run });
    expect(results(rerun), why(rerun)).toMatchObject({
      deploy: 'success',
      validate: 'failure',
      rollback: 'success',
    });
    expect(rerun.jobs.deploy?.reused).toBe(true);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    const incidents = sandbox.github
      .issues(REPOSITORY)
      .filter((i) => i.labels.includes('incident') && i.body.includes(`run-id=${run.runId} `));
    expect(incidents).toHaveLength(1);
    expect(githubDeployment(run)?.statuses[0]?.state).toBe('failure');
  });

  it('"Re-run all jobs" after a success changes nothing: same deployment live, no new build, no migration, no second apply', async () => {
    const release = await sandbox.release({ healthy: true });
    const infra = { inputs: release.infra.inputs, secrets: release.infra.secrets };
    const run = await release.run(infra);
    expect(workload(release.namespace)).toEqual({ revision: '2', image: 'ghcr.io/neonpro/web:release-2' });
    const applies = sandbox.kubernetes.writes().length;
    expect(results(run).rollback, why(run)).toBe('skipped');
    const live = sandbox.vercel.productionDeploymentId(release.name);
    const builds = sandbox.vercel.deployments().length;

    const again = await release.run({ previous: run, rerunAll: true, ...infra });
    expect(results(again), why(again)).toMatchObject({
      db: 'success',
      deploy: 'success',
      validate: 'success',
      rollback: 'skipped',
    });
    expect(again.jobs.deploy?.reused).toBe(false);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(live);
    expect(sandbox.vercel.deployments().length).toBe(builds);
    expect(again.jobs.db?.outputs['backup-id']).toBe(run.jobs.db?.outputs['backup-id']);
    // The apply is journaled: the re-run's deploy job does not apply the same manifests again.
    expect(again.jobs.deploy?.summary).toContain('| `kubectl apply -f k8s` | already done (attempt 1) |');
    expect(sandbox.kubernetes.writes().length).toBe(applies);
    expect(workload(release.namespace)).toEqual({ revision: '2', image: 'ghcr.io/neonpro/web:release-2' });
    expect(await tableExists(release.name, 'consents')).toBe(true);
  });

  it("on-call rolls back a release that went live with rollback.yml, from the run's deploy record, its infrastructure included", async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run({ inputs: release.infra.inputs, secrets: release.infra.secrets });
    expect(results(run).validate, why(run)).toBe('success');
    expect(sandbox.vercel.productionDeploymentId(release.name)).not.toBe(release.previousDeploymentId);
    expect(workload(release.namespace)).toEqual({ revision: '2', image: 'ghcr.io/neonpro/web:release-2' });

    const manual = await release.rollback({
      runId: run.runId,
      reason: 'on-call: consent banner broken',
      inputs: {
        'notify-channels': SANDBOX_NOTIFY_CHANNELS,
        'statuspage-api-url': sandbox.notify.statuspageApiUrl,
      },
      secrets: { ...sandbox.notify.secrets, KUBECONFIG: release.infra.secrets.KUBECONFIG ?? '' },
    });
    expect(results(manual), why(manual)).toEqual({
      resolve: 'success',
      roles: 'skipped',
      'sign-off': 'skipped',
      rollback: 'success',
    });
    expect(manual.jobs.resolve?.outputs['backup-id']).toBe(run.jobs.db?.outputs['backup-id']);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);
    // The run applied its infrastructure: the record says so, and the workload is back at release 1.
    expect(manual.jobs.resolve?.outputs['infra-apply']).toBe('success');
    expect(manual.jobs.rollback?.summary).toContain(
      '| `kubectl rollout undo deployment/neonpro-web` | undone |',
    );
    expect(workload(release.namespace)).toEqual({ revision: '3', image: 'ghcr.io/neonpro/web:release-1' });
    expect(githubDeployment(run)?.statuses[0]?.state).toBe('failure');
    const incident = sandbox.github
      .issues(REPOSITORY)
      .find((i) => i.labels.includes('incident') && i.body.includes(`run-id=${manual.runId} `));
    expect(incident?.body).toContain('on-call: consent banner broken');
    // The communication plan of a manual rollback: the incident as it starts, the outcome when it is done.
    const got = sandbox.notify.received(release.name);
    expect(got.filter((r) => r.status >= 300)).toEqual([]);
    for (const channel of ['slack', 'teams', 'webhook', 'statuspage'])
      expect(
        got.filter((r) => r.channel === channel).map((r) => r.headline),
        channel,
      ).toEqual([
        `Incident: ${release.name} in production`,
        `Deploy of ${release.name} to production was rolled back`,
      ]);
    expect(
      sandbox.notify.webhook.requests.filter(
        (q) =>
          q.body.includes(release.name) && q.body.includes('Manual rollback: on-call: consent banner broken'),
      ),
    ).toHaveLength(1);
  });

  it('a compliance failure (outside the change window) stops the pipeline before the approval; nothing changes', async () => {
    const release = await sandbox.release({ healthy: true });
    const asked: string[] = [];
    const run = await release.run({
      now: '2026-03-10T18:00:00Z', // 15:00 in São Paulo
      approve: async (job) => {
        asked.push(job);
        return true;
      },
    });
    expect(results(run)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'failure',
      approve: 'skipped',
      'sign-off': 'skipped',
      rejection: 'skipped',
      db: 'skipped',
      deploy: 'skipped',
      validate: 'skipped',
      rollback: 'skipped',
      notify: 'skipped',
    });
    expect(asked).toEqual([]);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);
  });

  it('an approval given after the window closed stops db before it changes anything, with one error', async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run({
      approve: async () => {
        // The reviewer clicks at 06:30 in São Paulo: the window 02:00-06:00 has closed (GitHub's clock).
        sandbox.github.setClock('2026-03-10T09:30:00Z');
        return { reviewer: 'cto', state: 'approved', comment: 'Late, but approved' };
      },
    });
    expect(results(run), why(run)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      'sign-off': 'skipped',
      rejection: 'skipped',
      db: 'failure',
      deploy: 'skipped',
      validate: 'skipped',
      rollback: 'skipped',
      notify: 'skipped',
    });
    const errors = run.jobs.db?.steps.flatMap((s) => s.errors) ?? [];
    expect(errors).toEqual([
      expect.stringMatching(
        /^The approval of production does not hold: GitHub's clock says 2026-03-10 06:3\d in America\/Sao_Paulo, outside the change window 02:00-06:00; it was approved at 2026-03-10 06:3\d .*Nothing was changed\./,
      ),
    ]);
    expect(run.jobs.db?.outputs['backup-id']).toBe('');
    expect(run.jobs.db?.summary).toContain('| @cto | approved | Late, but approved | production |');
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);
  });

  it("a rejection is recorded from GitHub's review log: who and why, and nothing changes", async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run({
      approve: async () => ({
        reviewer: 'compliance-officer',
        state: 'rejected',
        comment: 'DPO not notified',
      }),
    });
    expect(results(run), why(run)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'success',
      approve: 'failure',
      'sign-off': 'skipped',
      rejection: 'failure',
      db: 'skipped',
      deploy: 'skipped',
      validate: 'skipped',
      rollback: 'skipped',
      notify: 'skipped',
    });
    expect(run.jobs.rejection?.steps.flatMap((s) => s.errors)).toEqual([
      expect.stringMatching(/production was rejected by @compliance-officer \("DPO not notified"\)/),
    ]);
    expect(run.jobs.rejection?.summary).toContain(
      '| @compliance-officer | rejected | DPO not notified | production |',
    );
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);
  });

  it('a refused approval is told to the channels as a cancelled deploy, after the approval request', async () => {
    const release = await sandbox.release({ healthy: true, name: 'comms-refused' });
    const run = await release.run({
      approve: async () => ({ reviewer: 'cto', state: 'rejected', comment: 'Not tonight' }),
      inputs: {
        'notify-channels': SANDBOX_NOTIFY_CHANNELS,
        'statuspage-api-url': sandbox.notify.statuspageApiUrl,
      },
      secrets: sandbox.notify.secrets,
    });
    expect(results(run), why(run)).toMatchObject({ approve: 'failure', db: 'skipped', notify: 'success' });
    const got = sandbox.notify.received(release.name);
    expect(got.filter((r) => r.status >= 300)).toEqual([]);
    expect(got.filter((r) => r.channel === 'webhook').map((r) => r.phase)).toEqual([
      'started',
      'approval-requested',
      'outcome',
    ]);
    expect(got.filter((r) => r.channel === 'statuspage').map((r) => r.headline)).toEqual([
      'Deploy of comms-refused to production was cancelled',
    ]);
  });

  it('sign-off by roles: every role asked at once beside approve, one job per role; three signers let db and deploy run', async () => {
    const release = await sandbox.release({ healthy: true });
    const signers: Record<string, string> = {
      'production-medical-director': 'medical-director',
      'production-compliance-officer': 'compliance-officer',
      'production-cto': 'cto',
    };
    // Nobody answers until all four approvals are pending together.
    const { approve, pending } = approveTogether(1 + SANDBOX_ROLES.length, (_job, environment) => {
      const reviewer = signers[environment];
      return reviewer ? { reviewer, state: 'approved' as const, comment: `${reviewer} signs` } : true;
    });
    const run = await release.run({ inputs: { 'sign-off': SANDBOX_SIGN_OFF }, approve });
    expect(results(run), why(run)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      'sign-off': 'success',
      rejection: 'skipped',
      db: 'success',
      deploy: 'success',
      validate: 'success',
      rollback: 'skipped',
      notify: 'skipped',
    });
    const roleJobs = SANDBOX_ROLES.map((r) => `sign-off (${r.name}, ${r.environment})`);
    expect(pending.sort()).toEqual(
      ['approve @ production', ...SANDBOX_ROLES.map((r, i) => `${roleJobs[i]} @ ${r.environment}`)].sort(),
    );
    expect(run.jobs['sign-off']?.matrix?.map((r) => [r.id, r.result])).toEqual(
      roleJobs.map((name) => [name, 'success']),
    );
    // GitHub's record, as db and deploy read it: each role signed by its own person.
    for (const job of ['db', 'deploy']) {
      const summary = run.jobs[job]?.summary ?? '';
      expect(summary, job).toContain(`### Sign-off (${SANDBOX_SIGN_OFF}; self-approval not allowed)`);
      for (const r of SANDBOX_ROLES)
        expect(summary, job).toContain(`| ${r.name} | ${r.environment} | ✅ @${signers[r.environment]} |`);
    }
    expect(sandbox.vercel.productionDeploymentId(release.name)).not.toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(true);
  });

  it('sign-off by roles: one reviewer approving all three roles stops db before it changes anything', async () => {
    const release = await sandbox.release({ healthy: true });
    // GitHub lets the CTO release every role's job (a reviewer of each environment): the sign-off rule
    // is what refuses one person for three roles.
    const run = await release.run({
      inputs: { 'sign-off': SANDBOX_SIGN_OFF },
      approve: async (_job, environment) =>
        environment === 'production'
          ? true
          : { reviewer: 'cto', state: 'approved', comment: 'Signing for everyone' },
    });
    expect(results(run), why(run)).toEqual({
      plan: 'success',
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      'sign-off': 'success',
      rejection: 'skipped',
      db: 'failure',
      deploy: 'skipped',
      validate: 'skipped',
      rollback: 'skipped',
      notify: 'skipped',
    });
    const errors = run.jobs.db?.steps.flatMap((s) => s.errors) ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^The approval of production does not hold: /);
    expect(errors[0]).toMatch(
      /was approved only by @cto, who signed another role: each role needs a distinct person/,
    );
    expect(errors[0]).toMatch(/Nothing was changed\./);
    // Nothing backed up, migrated or deployed.
    expect(run.jobs.db?.steps.find((s) => s.id === 'db')?.outcome).toBe('skipped');
    expect(run.jobs.db?.outputs['backup-id']).toBe('');
    expect(await tableExists(release.name, 'consents')).toBe(false);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
  });

  it('rollback.yml with the emergency sign-off: both roles asked at once, signed by two people, then rolled back', async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run();
    expect(run.result, why(run)).toBe('success');
    const live = sandbox.vercel.productionDeploymentId(release.name);
    const signers: Record<string, string> = {
      'production-cto': 'cto',
      'production-operations': 'head-of-operations',
    };
    // Nobody answers until both roles are pending together.
    const { approve, pending } = approveTogether(SANDBOX_EMERGENCY_ROLES.length, (_job, environment) => {
      const reviewer = signers[environment] ?? '';
      return { reviewer, state: 'approved' as const, comment: `${reviewer} authorises the rollback` };
    });
    const manual = await release.rollback({
      runId: run.runId,
      reason: 'on-call: consent banner broken',
      inputs: { 'sign-off': SANDBOX_EMERGENCY_SIGN_OFF },
      approve,
    });
    expect(results(manual), why(manual)).toEqual({
      resolve: 'success',
      roles: 'success',
      'sign-off': 'success',
      rollback: 'success',
    });
    expect(pending.sort()).toEqual([
      'Sign-off production-cto @ production-cto',
      'Sign-off production-operations @ production-operations',
    ]);
    const summary = manual.jobs.rollback?.summary ?? '';
    expect(summary).toContain(`### Sign-off (${SANDBOX_EMERGENCY_SIGN_OFF}; self-approval not allowed)`);
    expect(summary).toContain('| Head of Operations | production-operations | ✅ @head-of-operations |');
    expect(sandbox.vercel.productionDeploymentId(release.name)).not.toBe(live);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
  });

  it('rollback.yml with the emergency sign-off: one person signing both roles rolls nothing back', async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run();
    expect(run.result, why(run)).toBe('success');
    const live = sandbox.vercel.productionDeploymentId(release.name);
    const manual = await release.rollback({
      runId: run.runId,
      reason: 'on-call: consent banner broken',
      inputs: { 'sign-off': SANDBOX_EMERGENCY_SIGN_OFF },
      approve: async () => ({ reviewer: 'cto', state: 'approved', comment: 'Both, in a hurry' }),
    });
    expect(results(manual), why(manual)).toEqual({
      resolve: 'success',
      roles: 'success',
      'sign-off': 'success',
      rollback: 'failure',
    });
    const errors = manual.jobs.rollback?.steps.flatMap((s) => s.errors) ?? [];
    expect(errors).toEqual([
      expect.stringMatching(/who signed another role: each role needs a distinct person/),
    ]);
    expect(manual.jobs.rollback?.steps.find((s) => s.name === 'Roll back')?.outcome).toBe('skipped');
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(live);
    expect(await tableExists(release.name, 'consents')).toBe(true);
  });

  it('a wiring mistake (default checks, no VALIDATION_TOKEN) stops at plan, before the approval; nothing changes', async () => {
    const release = await sandbox.release({ healthy: true });
    const asked: string[] = [];
    const run = await release.run({
      inputs: { checks: '' },
      approve: async (job) => {
        asked.push(job);
        return true;
      },
    });
    expect(results(run), why(run)).toEqual({
      plan: 'failure',
      preflight: 'skipped',
      compliance: 'skipped',
      approve: 'skipped',
      'sign-off': 'skipped',
      rejection: 'skipped',
      db: 'skipped',
      deploy: 'skipped',
      validate: 'skipped',
      rollback: 'skipped',
      notify: 'skipped',
    });
    const planErrors = run.jobs.plan?.steps.flatMap((s) => s.errors) ?? [];
    expect(planErrors).toHaveLength(1);
    expect(planErrors[0]).toMatch(
      /Workflow secret VALIDATION_TOKEN \(passed as post-validate's bearer-token in the validate job\): is empty, but 3 check\(s\) send it/,
    );
    expect(asked).toEqual([]);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(false);
  });

  it('a bad workflow input (max-approval-age: 4 hours) stops at plan with approval-check’s own check, naming it', async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run({ inputs: { 'max-approval-age': '4 hours' } });
    expect(results(run), why(run)).toMatchObject({ plan: 'failure', approve: 'skipped', db: 'skipped' });
    const planErrors = run.jobs.plan?.steps.flatMap((s) => s.errors) ?? [];
    expect(planErrors).toHaveLength(1);
    expect(planErrors[0]).toMatch(/Workflow input max-approval-age .*"4 hours" is not a duration/);
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(release.previousDeploymentId);
  });

  it('after go-live, a check that cannot run is a configuration error: reported as such, no rollback, the release stays live', async () => {
    const release = await sandbox.release({ healthy: true });
    // A checks file that plan reads as good and that no longer matches its schema when validate reads it:
    // a configuration error plan could not see (plan itself refuses a checks file that does not parse).
    const checks = join(release.workspace, 'late-checks.json');
    writeFileSync(checks, JSON.stringify({ checks: [{ name: 'Health', url: '/health' }] }));
    const run = await release.run({
      inputs: { checks: 'late-checks.json' },
      onEvent: (e) => {
        if (e.type === 'job-end' && e.job.id === 'plan')
          writeFileSync(checks, JSON.stringify({ checks: 'health' }));
      },
    });
    expect(results(run), why(run)).toMatchObject({
      plan: 'success',
      approve: 'success',
      'sign-off': 'skipped',
      db: 'success',
      deploy: 'success',
      validate: 'failure',
      rollback: 'skipped',
    });
    const validate = run.jobs.validate?.steps ?? [];
    expect(validate.find((s) => s.id === 'validate')?.errors.join('\n')).toMatch(/checks/);
    expect(validate.find((s) => s.name === 'A configuration error is not a bad release')?.outcome).toBe(
      'failure',
    );
    expect(run.jobs.validate?.outputs['rollback-recommended']).toBe('');
    // The good release stays: new deployment live, migration kept, no incident.
    expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(
      run.jobs.deploy?.outputs['deployment-id'],
    );
    expect(sandbox.vercel.productionDeploymentId(release.name)).not.toBe(release.previousDeploymentId);
    expect(await tableExists(release.name, 'consents')).toBe(true);
    expect(
      sandbox.github
        .issues(REPOSITORY)
        .filter((i) => i.labels.includes('incident') && i.body.includes(`run-id=${run.runId} `)),
    ).toEqual([]);
  });

  it('rollback.yml refuses a deploy record whose run the API does not vouch for (unprotected branch, other workflow)', async () => {
    const release = await sandbox.release({ healthy: true });
    const run = await release.run();
    expect(results(run).validate, why(run)).toBe('success');
    const live = sandbox.vercel.productionDeploymentId(release.name);
    const record = {
      id: Number(run.runId),
      path: '.github/workflows/deploy.yml',
      event: 'workflow_dispatch',
      head_branch: 'main',
      head_sha: 'f00d',
      status: 'completed' as const,
      conclusion: 'success',
    };
    for (const [change, message] of [
      [{ head_branch: 'feature/try' }, /branch feature\/try, which is not protected/],
      [{ path: '.github/workflows/experiment.yml' }, /its workflow is .github\/workflows\/experiment.yml/],
      [{ event: 'pull_request' }, /started by pull_request/],
      [{ head_repository: 'someone/fork' }, /it ran for someone\/fork/],
    ] as const) {
      sandbox.github.addWorkflowRun(REPOSITORY, { ...record, ...change });
      const manual = await release.rollback({ runId: run.runId, reason: 'on-call' });
      expect(results(manual), why(manual)).toEqual({
        resolve: 'failure',
        roles: 'skipped',
        'sign-off': 'skipped',
        rollback: 'skipped',
      });
      expect(manual.jobs.resolve?.steps.flatMap((s) => s.errors).join('\n')).toMatch(message);
      expect(sandbox.vercel.productionDeploymentId(release.name)).toBe(live);
    }
    expect(await tableExists(release.name, 'consents')).toBe(true);
  });
});
