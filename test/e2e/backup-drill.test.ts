/**
 * The README's backup drill caller, taken from the Markdown as a team copies it, run by the local runner
 * against a real PostgreSQL on its weekly and its monthly schedule: the reusable backup-drill.yml backs up
 * and verifies (monthly: restores into a scratch database) and uploads the manifest; then preflight-check,
 * from its bundle, reads those records back from the drill workflow's runs on the GitHub emulator.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArtifactService } from '../../sandbox/artifact/service.js';
import { seedCiRun } from '../../sandbox/ci-run.js';
import type { GitHubEmulator } from '../../sandbox/github/emulator.js';
import type { PgCluster } from '../../sandbox/postgres/cluster.js';
import { yamlBlocks } from '../../sandbox/readme-blocks.js';
import { type ActionRun, REPO_ROOT, RUN_DEFAULTS, runBundle } from '../../sandbox/runner/run-bundle.js';
import { runWorkflow } from '../../sandbox/workflow/run-workflow.js';
import { loadWorkflow } from '../../sandbox/workflow/workflow-file.js';
import { DRILL_ARTIFACT } from '../../src/preflight/collectors/backup-drills.js';
import { workspace } from '../policy/helpers.js';
import { usePostgres } from '../support/action-world.js';
import { useGitHubWithArtifacts } from '../support/github-artifacts.js';
import { results, why } from '../support/run-results.js';

const REPO = RUN_DEFAULTS.repository;
const WEEKLY = '0 3 * * 1';
const MONTHLY = '0 4 1 * *';
let pgc: PgCluster;
usePostgres((started) => {
  pgc = started;
});
let github: GitHubEmulator;
let artifacts: ArtifactService;
const runs: ActionRun[] = [];
useGitHubWithArtifacts(REPO, (started) => {
  ({ github, artifacts } = started);
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const caller = () => {
  const block = yamlBlocks('README.md').find((b) =>
    b.text.includes('uses: neonpro/deploy-gates/.github/workflows/backup-drill.yml@'),
  );
  if (!block) throw new Error('README.md has no caller of backup-drill.yml');
  return block.text;
};

let n = 0;
/** One scheduled run of the README's caller; the drill's backups go to a folder instead of artifacts. */
async function drill(schedule: string, databaseUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'dg-drill-'));
  const file = join(dir, 'backup-drill.yml');
  writeFileSync(file, caller());
  const runId = String(9_300_000 + ++n);
  const uploaded = join(tmpdir(), `deploy-gates-artifacts-${runId}`, DRILL_ARTIFACT);
  // The local runner keeps a run's artifacts under its id: an earlier test process's run of the same id
  // must not count as this one's upload.
  rmSync(dirname(uploaded), { recursive: true, force: true });
  const run = await runWorkflow({
    workflow: await loadWorkflow(file),
    repoRoot: REPO_ROOT,
    workspace: mkdtempSync(join(tmpdir(), 'dg-drill-ws-')),
    runId,
    github: { event_name: 'schedule', event: { schedule } },
    secrets: { PRODUCTION_DATABASE_URL: databaseUrl, BACKUP_PASSPHRASE: 'drill passphrase, long enough' },
    env: { PATH: `${pgc.binDir}:${process.env.PATH}` },
    rewriteCallInputs: (_job, inputs) => ({
      ...inputs,
      'backup-storage': 'path',
      'backup-path': join(dir, 'backups'),
    }),
  });
  const manifests = existsSync(uploaded)
    ? readdirSync(uploaded).map((f) => JSON.parse(readFileSync(join(uploaded, f), 'utf8')))
    : [];
  return { run, manifests };
}

describe("the README's backup drills, scheduled", { timeout: 180_000 }, () => {
  it('weekly verifies, monthly restores into a scratch database; production unchanged; preflight reads both records', async () => {
    await pgc.createDatabase('clinic');
    await pgc.psql(
      'CREATE TABLE patients (id int PRIMARY KEY, name text); INSERT INTO patients SELECT g, $$p$$ || g FROM generate_series(1, 500) g;',
      'clinic',
    );
    const url = `${pgc.url('clinic')}?sslmode=disable`;
    // The first of the month, then the next Monday.
    const monthly = await drill(MONTHLY, url);
    expect(monthly.run.result, why(monthly.run.jobs.drill?.called)).toBe('success');
    expect(results(monthly.run.jobs.drill?.called)).toEqual({ drill: 'success' });
    expect(monthly.manifests[0]).toMatchObject({
      verified: true,
      verification: { ok: true, restore: 'matched' },
    });
    const weekly = await drill(WEEKLY, url);
    expect(weekly.run.result, why(weekly.run.jobs.drill?.called)).toBe('success');
    expect(weekly.manifests).toHaveLength(1);
    expect(weekly.manifests[0]).toMatchObject({
      verified: true,
      verification: { ok: true, restore: 'skipped' },
    });
    expect(weekly.manifests[0].rowCounts).toMatchObject({ 'public.patients': 500 });

    // A drill changes nothing in production: no migration ran, the rows are the rows.
    expect(await pgc.psql('SELECT count(*), sum(id) FROM patients', 'clinic')).toContain('500|125250');

    // The two runs as GitHub would list them, their manifests as the artifacts they uploaded.
    for (const [m, hoursAgo] of [
      [monthly.manifests[0], 50],
      [weekly.manifests[0], 2],
    ] as const) {
      await seedCiRun(github, artifacts, REPO, {
        workflow: 'backup-drill.yml',
        sha: 'e'.repeat(40),
        conclusion: 'success',
        createdAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
        artifact: { name: DRILL_ARTIFACT, files: { 'manifest.json': JSON.stringify(m) } },
      });
    }
    const preflight = await runBundle({
      action: 'actions/preflight-check/dist/index.js',
      workspace: workspace({}),
      inputs: {
        timeout: '5s',
        'github-token': github.token,
        'protected-environment': '',
        'backup-drills': 'backup-drill.yml',
      },
      env: { GITHUB_API_URL: github.apiUrl },
      stepId: 'preflight',
    });
    runs.push(preflight);
    const facts = JSON.parse(readFileSync(preflight.outputs.facts ?? '', 'utf8'));
    expect(facts.backups).toMatchObject({
      id: weekly.manifests[0].id,
      verified: true,
      restoreTestId: monthly.manifests[0].id,
    });
    const report = JSON.parse(readFileSync(preflight.outputs.report ?? '', 'utf8'));
    const status = (rule: string) =>
      report.results.find((r: { ruleId: string }) => r.ruleId === rule)?.status;
    expect(status('preflight.backup-fresh')).toBe('pass');
    expect(status('preflight.restore-tested')).toBe('pass');
  });

  it('a drill that cannot reach the database fails its run and uploads no record', async () => {
    const down = await drill(
      MONTHLY,
      'postgresql://drill:pw@127.0.0.1:9/clinic?sslmode=disable&connect_timeout=2',
    );
    expect(down.run.result).toBe('failure');
    const steps = down.run.jobs.drill?.called?.jobs.drill?.steps ?? [];
    expect(steps.map((st) => [st.id ?? st.name, st.conclusion])).toEqual([
      ['Check the drill', 'success'],
      ['backup', 'failure'],
      // The record is uploaded only after a drill that passed.
      ['actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02', 'skipped'],
    ]);
    expect(steps[1]?.errors.join('\n')).toMatch(
      /^cannot connect to database "clinic" on 127\.0\.0\.1:9 as drill: connect ECONNREFUSED/m,
    );
    expect(down.manifests).toEqual([]);
  });
});
