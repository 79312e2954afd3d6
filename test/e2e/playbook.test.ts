import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubIssuesEmulator, startGitHubIssuesEmulator } from '../../sandbox/github/issues.js';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import { runWorkflow, type WorkflowRun } from '../../sandbox/workflow/run-workflow.js';
import { loadWorkflow } from '../../sandbox/workflow/workflow-file.js';
import { DEFAULT_REQUIRED_ENV } from '../../src/preflight/collectors/vercel-env.js';
import { REPO_ROOT } from '../harness/run-action.js';

// The playbook workflow itself, driven job by job through the local runner against the sandbox: every
// `uses: neonpro/deploy-gates/actions/<name>@v1` step runs from its committed bundle.
const workflow = await loadWorkflow(join(REPO_ROOT, '.github/workflows/playbook.yml'));
let vercel: VercelEmulator;
let github: GitHubIssuesEmulator;
let pgc: PgCluster;

beforeAll(async () => {
  [vercel, github, pgc] = await Promise.all([
    startVercelEmulator({ queuedMs: 0, buildMs: 0 }),
    startGitHubIssuesEmulator(),
    startPostgres(),
  ]);
});
afterAll(async () => {
  await Promise.all([vercel?.close(), github?.close(), pgc?.stop()]);
});

let n = 0;
/** A sample app with one dbmate migration, a project with a release live, a database with patients. */
async function sandbox(healthyRelease: boolean) {
  const name = `clinic${++n}`;
  // The operations guide's production variables, so preflight's vercel-env rule passes.
  await vercel.createProject({
    name,
    env: DEFAULT_REQUIRED_ENV.map((key) => ({ key, value: 'set', target: ['production'] })),
  });
  const v1 = await vercel.seedDeployment({
    project: name,
    target: 'production',
    files: { health: '{"status":"ok"}' },
  });
  await pgc.createDatabase(name);
  await pgc.psql(
    `CREATE TABLE patients (id serial PRIMARY KEY, name text); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,30) g;`,
    name,
  );
  const ws = mkdtempSync(join(tmpdir(), 'dg-e2e-'));
  mkdirSync(join(ws, 'app/db/migrations'), { recursive: true });
  writeFileSync(join(ws, 'app/index.html'), '<h1>release 2</h1>');
  writeFileSync(join(ws, 'app/health'), healthyRelease ? '{"status":"ok"}' : '{"status":"degraded"}');
  writeFileSync(
    join(ws, 'app/db/migrations/20260301000000_consents.sql'),
    '-- migrate:up\nCREATE TABLE consents (id int);\n-- migrate:down\nDROP TABLE consents;\n',
  );
  mkdirSync(join(ws, '.github'), { recursive: true });
  cpSync(join(REPO_ROOT, 'examples/compliance/compliance.json'), join(ws, '.github/compliance.json'));
  writeFileSync(
    join(ws, 'checks.json'),
    JSON.stringify({
      checks: [
        {
          name: 'health',
          url: '/health',
          tags: ['health'],
          expect: { json: { '/status': { equals: 'ok' } } },
        },
      ],
    }),
  );
  const backups = mkdtempSync(join(tmpdir(), 'dg-e2e-backups-'));
  const url = `${pgc.url(name)}?sslmode=disable`;
  const run = (previous?: WorkflowRun) =>
    runWorkflow({
      workflow,
      repoRoot: REPO_ROOT,
      workspace: ws,
      inputs: {
        'vercel-project': name,
        'vercel-team': vercel.teamId,
        'vercel-api-url': vercel.apiUrl,
        'working-directory': 'app',
        'staging-endpoints': `staging=${vercel.productionUrl(name)}/health`,
        'backup-storage': 'path',
        'backup-path': backups,
        checks: 'checks.json',
        // The review collector needs GitHub's pulls API, which the sandbox's GitHub emulator does not serve.
        'check-review': false,
      },
      secrets: {
        'vercel-token': vercel.token,
        'database-url': url,
        'backup-encryption-key': 'e2e-passphrase',
      },
      github: { token: github.token, repository: 'neonpro/healthcare-platform' },
      env: {
        NODE_EXTRA_CA_CERTS: vercel.caFile,
        GITHUB_API_URL: github.apiUrl,
        DEPLOY_GATES_NOW: '2026-03-10T05:30:00Z',
      },
      approve: async () => true,
      ...(previous ? { previous } : {}),
    });
  return { name, v1, run };
}

const results = (run: WorkflowRun) =>
  Object.fromEntries(Object.values(run.jobs).map((j) => [j.id, j.result]));
const tableExists = async (db: string, t: string) =>
  (await pgc.psql(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${t}'`, db)) === '1';

// Whole pipelines of real processes, backups and builds: minutes, not the default 60 s.
describe('the playbook workflow, end to end on the sandbox', { timeout: 300_000 }, () => {
  it('happy path: gates pass, approval, backup then migration, staged deploy promoted, validation passes, no rollback', async () => {
    const s = await sandbox(true);
    const run = await s.run();
    expect(
      results(run),
      JSON.stringify(Object.values(run.jobs).map((j) => [j.id, j.steps.map((st) => st.errors)])),
    ).toEqual({
      preflight: 'success',
      compliance: 'success',
      approve: 'success',
      db: 'success',
      deploy: 'success',
      validate: 'success',
      rollback: 'skipped',
    });
    expect(vercel.productionDeploymentId(s.name)).not.toBe(s.v1.id);
    expect(await tableExists(s.name, 'consents')).toBe(true);
    expect(run.jobs.db?.outputs['backup-id']).toBeTruthy();
  });

  it('a failing validation rolls back the deployment and the database, and records the incident', async () => {
    const s = await sandbox(false);
    const run = await s.run();
    expect(
      results(run),
      JSON.stringify(Object.values(run.jobs).map((j) => [j.id, j.result, j.steps.map((st) => st.errors)])),
    ).toMatchObject({
      db: 'success',
      deploy: 'success',
      validate: 'failure',
      rollback: 'success',
    });
    expect(vercel.productionDeploymentId(s.name)).toBe(s.v1.id);
    expect(await tableExists(s.name, 'consents')).toBe(false);
    expect(github.issues('neonpro/healthcare-platform').some((i) => i.labels.includes('incident'))).toBe(
      true,
    );
  });
});
