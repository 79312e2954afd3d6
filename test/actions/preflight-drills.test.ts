/**
 * preflight-check reading the backup drills' records (backup-drills): the manifests that successful runs
 * of the team's drill workflow uploaded as the artifact deploy-gates-backup-drill, found through GitHub's
 * REST API on the emulator and downloaded by the real @actions/artifact client, from the committed bundle.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArtifactService } from '../../sandbox/artifact/service.js';
import { seedCiRun } from '../../sandbox/ci-run.js';
import type { GitHubEmulator } from '../../sandbox/github/emulator.js';
import { type ActionRun, RUN_DEFAULTS, runBundle } from '../../sandbox/runner/run-bundle.js';
import { DRILL_ARTIFACT } from '../../src/preflight/collectors/backup-drills.js';
import { workspace } from '../policy/helpers.js';
import { factsSchemaErrors } from '../preflight/fixtures.js';
import { useGitHubWithArtifacts } from '../support/github-artifacts.js';

const ACTION = 'actions/preflight-check/dist/index.js';
const REPO = RUN_DEFAULTS.repository;
let github: GitHubEmulator;
let artifacts: ArtifactService;
const runs: ActionRun[] = [];
let n = 0;

useGitHubWithArtifacts(REPO, (started) => {
  ({ github, artifacts } = started);
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const DAY = 24;

/** A manifest as db-migrate-backup writes it with dry-run: true (the fields the backup rules read). */
const manifest = (id: string, finishedHoursAgo: number, restore: 'matched' | 'skipped') => ({
  id,
  verified: true,
  finishedAt: hoursAgo(finishedHoursAgo),
  verification: { ok: true, checksums: true, tocEntries: 9, restore },
});

/** A drill workflow of its own per test, so runs seeded by one test never answer another. */
async function drillWorkflow(
  drills: { manifest?: Record<string, unknown>; conclusion?: 'success' | 'failure'; ranHoursAgo: number }[],
): Promise<{ workflow: string; runIds: number[] }> {
  const workflow = `backup-drill-${++n}.yml`;
  const runIds: number[] = [];
  for (const d of drills) {
    const { runId } = await seedCiRun(github, artifacts, REPO, {
      workflow,
      sha: 'd'.repeat(40),
      conclusion: d.conclusion ?? 'success',
      createdAt: hoursAgo(d.ranHoursAgo),
      ...(d.manifest
        ? { artifact: { name: DRILL_ARTIFACT, files: { 'manifest.json': JSON.stringify(d.manifest) } } }
        : {}),
    });
    runIds.push(runId);
  }
  return { workflow, runIds };
}

async function preflight(inputs: Record<string, string>, files: Record<string, unknown> = {}) {
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(files),
    inputs: {
      timeout: '5s',
      'github-token': github.token,
      // Only the backups are judged here.
      'protected-environment': '',
      ...inputs,
    },
    env: { GITHUB_API_URL: github.apiUrl },
    stepId: 'preflight',
  });
  runs.push(run);
  return run;
}

const facts = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.facts ?? '', 'utf8'));
const status = (run: ActionRun, rule: string) =>
  JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8')).results.find(
    (r: { ruleId: string }) => r.ruleId === rule,
  )?.status;

describe("preflight-check reads the backup drills' records", () => {
  it('the newest weekly verification and the monthly restore test, read back through older runs until the restore test', async () => {
    const { workflow } = await drillWorkflow([
      { manifest: manifest('restore-nov', 12 * DAY, 'matched'), ranHoursAgo: 12 * DAY },
      { manifest: manifest('verify-w1', 5 * DAY, 'skipped'), ranHoursAgo: 5 * DAY },
      { manifest: manifest('verify-w2', 3, 'skipped'), ranHoursAgo: 3 },
    ]);
    const run = await preflight({ 'backup-drills': workflow });
    const doc = facts(run);
    expect(factsSchemaErrors(doc)).toEqual([]);
    expect(doc.collectorErrors).toBeUndefined();
    expect(doc.backups).toMatchObject({ id: 'verify-w2', verified: true, restoreTestId: 'restore-nov' });
    expect(doc.backups.ageHours).toBeCloseTo(3, 0);
    expect(doc.backups.restoreTestAgeDays).toBeCloseTo(12, 0);
    expect(doc.backups.source).toContain(workflow);
    expect(status(run, 'preflight.backup-fresh')).toBe('pass');
    expect(status(run, 'preflight.restore-tested')).toBe('pass');
    expect(run.summary).toMatch(
      /Newest verified backup verify-w2 is 3(\.\d)? h old; last restore test \(restore-nov\) 12(\.\d)? days ago/,
    );
  });

  it('a restore test 40 days old, or none among the runs, fails restore-tested; a failed drill run never counts', async () => {
    const stale = await drillWorkflow([
      { manifest: manifest('restore-oct', 40 * DAY, 'matched'), ranHoursAgo: 40 * DAY },
      // The run failed after uploading its manifest (its notify step, say): not a drill that passed.
      {
        manifest: manifest('restore-failed', 2 * DAY, 'matched'),
        conclusion: 'failure',
        ranHoursAgo: 2 * DAY,
      },
      { manifest: manifest('verify', 2, 'skipped'), ranHoursAgo: 2 },
    ]);
    const old = await preflight({ 'backup-drills': stale.workflow });
    expect(facts(old).backups).toMatchObject({ id: 'verify', restoreTestId: 'restore-oct' });
    expect(facts(old).backups.restoreTestAgeDays).toBeGreaterThan(39);
    expect(status(old, 'preflight.backup-fresh')).toBe('pass');
    expect(status(old, 'preflight.restore-tested')).toBe('fail');
    expect(old.exitCode).toBe(1);

    const never = await drillWorkflow([{ manifest: manifest('verify', 2, 'skipped'), ranHoursAgo: 2 }]);
    const none = await preflight({ 'backup-drills': never.workflow });
    expect(facts(none).backups).toMatchObject({ restoreTestId: null, restoreTestAgeDays: null });
    expect(status(none, 'preflight.restore-tested')).toBe('fail');
    expect(none.summary).toContain('no restore test found');
  });

  it('joins the backup-manifest: the nightly backup from the URL, the restore test from the drills', async () => {
    const { workflow } = await drillWorkflow([
      { manifest: manifest('restore', 20 * DAY, 'matched'), ranHoursAgo: 20 * DAY },
    ]);
    const run = await preflight(
      { 'backup-drills': workflow, 'backup-manifest': 'nightly.json' },
      { 'nightly.json': { id: 'nightly', verified: true, finishedAt: hoursAgo(1) } },
    );
    expect(facts(run).backups).toMatchObject({ id: 'nightly', restoreTestId: 'restore' });
    expect(status(run, 'preflight.backup-fresh')).toBe('pass');
    expect(status(run, 'preflight.restore-tested')).toBe('pass');
  });

  it('no drill run, runs whose artifacts expired, or a workflow GitHub does not know: nothing measured, both backup rules block', async () => {
    const noRecords = await drillWorkflow([{ ranHoursAgo: 2 }, { ranHoursAgo: 1 }]);
    const onlyFailed = await drillWorkflow([
      { manifest: manifest('r', 2, 'matched'), conclusion: 'failure', ranHoursAgo: 2 },
    ]);
    for (const [workflow, said] of [
      [
        noRecords.workflow,
        /none of the 2 newest successful runs .* holds the artifact deploy-gates-backup-drill/,
      ],
      [onlyFailed.workflow, /no successful run of .*: no backup drill has passed/],
      ['no-such-drill.yml', /GitHub knows no workflow no-such-drill\.yml/],
    ] as const) {
      const run = await preflight({ 'backup-drills': workflow });
      expect(run.exitCode, workflow).toBe(1);
      const doc = facts(run);
      expect(doc.backups, workflow).toBeUndefined();
      expect(doc.collectorErrors, workflow).toEqual([
        { collector: 'backups', message: expect.stringMatching(said) },
      ]);
      const report = JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8'));
      expect(report.blocking).toEqual(
        expect.arrayContaining(['preflight.backup-fresh', 'preflight.restore-tested']),
      );
    }
  });

  it('bad input: a name that is not a workflow file, or no github-token to read the runs with; nothing asked of GitHub', async () => {
    const before = github.requests.length;
    const badName = await preflight({ 'backup-drills': 'drills; rm -rf /' });
    const noToken = await preflight({ 'backup-drills': 'backup-drill.yml', 'github-token': '' });
    for (const [run, problem] of [
      [
        badName,
        /^Input "backup-drills": "drills; rm -rf \/" is not a workflow file name or id\. Set backup-drills to/,
      ],
      [
        noToken,
        /^Input "backup-drills": needs github-token to read the drills' runs and their artifacts\. Pass github-token/,
      ],
    ] as const) {
      expect(run.exitCode).toBe(1);
      const errors = run.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toMatch(problem);
      expect(run.stdout).not.toMatch(/\n\s+at /);
    }
    expect(github.requests.length).toBe(before);
  });
});
