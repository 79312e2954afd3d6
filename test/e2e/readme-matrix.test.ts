import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlaybookSandbox, startPlaybookSandbox } from '../../sandbox/playbook.js';
import { readmeMatrixCaller, rehearseMatrix, servedRelease } from '../../sandbox/rehearse-matrix.js';
import { results, why } from '../support/run-results.js';
import { sampleWorkload } from '../support/sample-workload.js';

// The README's "Many projects at once" block, taken from the Markdown as a platform copies it, rehearsed
// on the sandbox with one project's release broken: each project is its own call of the playbook, with
// its own Vercel project, database, approval, backup and rollback.
let sandbox: PlaybookSandbox;
beforeAll(async () => {
  sandbox = await startPlaybookSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

describe("the README's matrix over projects, rehearsed", { timeout: 400_000 }, () => {
  it('rolls back only the broken project; the other one is released', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dg-matrix-caller-')), 'deploy-all.yml');
    writeFileSync(file, readmeMatrixCaller().text);
    const asked: string[] = [];
    const r = await rehearseMatrix(sandbox, {
      caller: file,
      broken: ['neonpro-clinics'],
      approve: async (job, env) => {
        asked.push(`${job}:${env}`);
        return true;
      },
    });
    const byName = Object.fromEntries(r.projects.map((p) => [p.project, p]));
    const web = byName['neonpro-web'];
    const clinics = byName['neonpro-clinics'];
    expect(r.projects.map((p) => p.project)).toEqual(['neonpro-web', 'neonpro-clinics']);
    expect(r.run.jobs[r.job]?.matrix).toHaveLength(2);

    // Each project asked for its own approval, as its own job of the run.
    expect(asked.sort()).toEqual(
      [`${web?.run?.id} / approve:production`, `${clinics?.run?.id} / approve:production`].sort(),
    );
    expect(web?.run?.called?.jobs.approve?.environment).toEqual({ name: 'production', approved: true });
    expect(clinics?.run?.called?.jobs.approve?.environment).toEqual({ name: 'production', approved: true });

    // The healthy project went through every gate and stays on its new deployment.
    expect(web?.run?.result, why(web?.run?.called)).toBe('success');
    expect(results(web?.run?.called)).toMatchObject({
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      db: 'success',
      deploy: 'success',
      validate: 'success',
      rollback: 'skipped',
    });
    expect(servedRelease(sandbox, web as NonNullable<typeof web>).what).toBe('new');

    // The broken one failed its validation and was rolled back: previous deployment, database restored.
    expect(clinics?.run?.result).toBe('failure');
    expect(results(clinics?.run?.called), why(clinics?.run?.called)).toMatchObject({
      db: 'success',
      deploy: 'success',
      validate: 'failure',
      rollback: 'success',
    });
    const served = servedRelease(sandbox, clinics as NonNullable<typeof clinics>);
    expect(served).toEqual({ deploymentId: clinics?.release.previousDeploymentId, what: 'rolled back' });
    // The migration's table is gone again (the backup restored); the patients are as they were.
    const tables = async (db: string) =>
      (
        await sandbox.pg.psql(
          "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
          db,
        )
      ).trim();
    expect(await tables('neonpro-clinics')).not.toContain('consents');
    expect(await tables('neonpro-web')).toContain('consents');
    expect((await sandbox.pg.psql('SELECT count(*) FROM patients', 'neonpro-clinics')).trim()).toBe('30');

    // Each call ran against its own project: its site, its database (secrets[matrix.database]).
    for (const p of [web, clinics])
      expect(p?.changed.find((c) => c.input === 'production-url')?.to).toBe(
        sandbox.vercel.productionUrl(p?.project ?? ''),
      );
    expect(r.secrets).toContainEqual({
      name: 'CLINICS_DATABASE_URL',
      standIn: 'the sandbox PostgreSQL database of neonpro-clinics (as PRODUCTION_DATABASE_URL)',
    });
    expect(r.ciRun?.artifact).toBe('reports-neonpro-web, reports-neonpro-clinics');

    // Each project's infrastructure, in its own namespace: planned before its approval, applied; the
    // broken one's rollback undid its workload (release 1's template again), the other's stays applied.
    for (const p of [web, clinics]) {
      expect(p?.infra?.namespace).toBe(p?.project);
      expect(p?.run?.called?.jobs.compliance?.summary).toContain('## Infrastructure plan\n');
      expect(p?.run?.called?.jobs.deploy?.outputs['infra-apply']).toBe('success');
    }
    expect(sampleWorkload(sandbox.kubernetes, 'neonpro-web')).toEqual({
      revision: '2',
      image: 'ghcr.io/neonpro/web:release-2',
    });
    expect(sampleWorkload(sandbox.kubernetes, 'neonpro-clinics')).toEqual({
      revision: '3',
      image: 'ghcr.io/neonpro/web:release-1',
    });
  });
});
