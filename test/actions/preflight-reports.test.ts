/**
 * preflight-check reading coverage and SARIF from the commit's CI run (reports-workflow, reports-artifact),
 * run from its committed bundle against the GitHub emulator, which serves the artifact service's REST
 * endpoints as GitHub does: the real @actions/artifact client finds and downloads the artifact.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArtifactService } from '../../sandbox/artifact/service.js';
import { seedCiRun } from '../../sandbox/ci-run.js';
import type { GitHubEmulator } from '../../sandbox/github/emulator.js';
import { type ActionRun, RUN_DEFAULTS, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';
import { factsSchemaErrors, ISTANBUL, LCOV, sarif } from '../preflight/fixtures.js';
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

/** A commit of its own per test, so runs seeded by one test never answer another. */
const newSha = () => `${(++n).toString(16).padStart(8, '0')}${'c'.repeat(32)}`;

const REPORTS = {
  'coverage/lcov.info': LCOV,
  'security/codeql.sarif': JSON.stringify(sarif('CodeQL', [{ ruleId: 'x', level: 'note' }])),
  'security/trivy.sarif': JSON.stringify(sarif('Trivy', [])),
};

async function preflight(
  sha: string,
  inputs: Record<string, string> = {},
  files: Record<string, unknown> = {},
) {
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(files),
    inputs: {
      timeout: '5s',
      'github-token': github.token,
      // Only the reports are judged here: review and environment are other tests' business.
      'protected-environment': '',
      'reports-workflow': 'ci.yml',
      'reports-artifact': 'reports',
      'coverage-file': 'coverage/lcov.info',
      'sarif-files': 'security/*.sarif',
      ...inputs,
    },
    env: { GITHUB_API_URL: github.apiUrl, GITHUB_SHA: sha },
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
const warnings = (run: ActionRun) =>
  run.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

describe("preflight-check reads coverage and SARIF from the commit's CI run", () => {
  it('finds the green run of ci.yml for GITHUB_SHA, downloads its artifact and judges the reports in it, recording where they came from', async () => {
    const sha = newSha();
    const { runId, artifactId } = await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'success',
      artifact: { name: 'reports', files: REPORTS },
    });
    // Not in the workspace: what the gate judges can only have come from the artifact.
    const run = await preflight(sha);
    expect(run.exitCode, run.stdout).toBe(1); // the checklist items not given still fail the gate
    const doc = facts(run);
    expect(factsSchemaErrors(doc)).toEqual([]);
    expect(doc.coverage).toMatchObject({ file: 'coverage/lcov.info', format: 'lcov', lines: 75 });
    expect(doc.security).toMatchObject({
      files: ['security/codeql.sarif', 'security/trivy.sarif'],
      total: 1,
    });
    expect(doc.security.byTool).toHaveProperty('Trivy');
    const digest = artifacts.artifacts({ runId }).find((a) => a.name === 'reports')?.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.reports).toEqual({
      workflow: 'ci.yml',
      runId,
      runNumber: runId,
      runUrl: `https://github.com/${REPO}/actions/runs/${runId}`,
      headSha: sha,
      artifact: 'reports',
      artifactId,
      digest,
      files: ['coverage/lcov.info', 'security/codeql.sarif', 'security/trivy.sarif'],
    });
    expect(doc.collectorErrors).toBeUndefined();
    // The coverage rule judged the artifact's lcov (75 % of lines is below the playbook's bar).
    expect(status(run, 'preflight.coverage')).toBe('fail');
    expect(status(run, 'preflight.security-findings')).toBe('pass');
    // The approvers see the run and the artifact before they approve.
    expect(run.summary).toContain('#### Reports from CI');
    expect(run.summary).toContain(`(https://github.com/${REPO}/actions/runs/${runId})`);
    expect(run.summary).toContain(digest);
    // The runs were asked for by commit and conclusion, through GitHub's API.
    expect(github.requests).toContainEqual({
      method: 'GET',
      path: `/repos/${REPO}/actions/workflows/ci.yml/runs`,
    });
  });

  it('reads an istanbul summary by its path inside the artifact (a workflow given by its path under .github/workflows)', async () => {
    const sha = newSha();
    await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'success',
      artifact: {
        name: 'test-reports',
        files: { 'coverage/coverage-summary.json': JSON.stringify(ISTANBUL) },
      },
    });
    const run = await preflight(sha, {
      'reports-workflow': '.github/workflows/ci.yml',
      'reports-artifact': 'test-reports',
      'coverage-file': 'coverage/coverage-summary.json',
      'sarif-files': '',
    });
    expect(facts(run).coverage).toMatchObject({ format: 'istanbul', lines: 96 });
    expect(status(run, 'preflight.coverage')).toBe('pass');
  });

  it('a failed CI run is not used, even when it is newer than the green one', async () => {
    const sha = newSha();
    const green = await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'success',
      createdAt: '2026-03-10T01:00:00Z',
      artifact: { name: 'reports', files: REPORTS },
    });
    await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'failure',
      createdAt: '2026-03-10T02:00:00Z',
      artifact: {
        name: 'reports',
        files: { ...REPORTS, 'coverage/lcov.info': 'TN:\nSF:a.ts\nLF:10\nLH:10\nend_of_record\n' },
      },
    });
    const run = await preflight(sha);
    expect(facts(run).reports.runId).toBe(green.runId);
    expect(facts(run).coverage.lines).toBe(75);
  });

  it('no successful run for the commit (only a failed one, and a green one of another commit): the gate fails, the error names reports-workflow', async () => {
    const sha = newSha();
    await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'failure',
      artifact: { name: 'reports', files: REPORTS },
    });
    await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha: newSha(),
      conclusion: 'success',
      artifact: { name: 'reports', files: REPORTS },
    });
    const run = await preflight(sha);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('fail');
    const doc = facts(run);
    expect(doc.coverage).toBeUndefined();
    expect(doc.security).toBeUndefined();
    expect(doc.reports).toBeUndefined();
    expect(doc.collectorErrors).toEqual([
      {
        collector: 'reports',
        message: expect.stringMatching(
          /^Input "reports-workflow": no successful run of ci\.yml for commit [0-9a-c]{12} .*Let ci\.yml finish green on this commit/,
        ),
      },
    ]);
    expect(warnings(run).join('\n')).toContain('Input "reports-workflow": no successful run of ci.yml');
    expect(status(run, 'preflight.coverage')).not.toBe('pass');
    expect(status(run, 'preflight.security-findings')).not.toBe('pass');
  });

  it('an unknown workflow: the error names reports-workflow and the fix', async () => {
    const run = await preflight(newSha(), { 'reports-workflow': 'no-such-ci.yml' });
    expect(run.outputs.decision).toBe('fail');
    expect(facts(run).collectorErrors?.[0]?.message).toMatch(
      /^Input "reports-workflow": GitHub knows no workflow no-such-ci\.yml in .*Set reports-workflow to the file name/,
    );
  });

  it('the green run has no artifact of that name: the gate fails, the error names reports-artifact and the run', async () => {
    const sha = newSha();
    const { runId } = await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'success',
      artifact: { name: 'coverage-only', files: { 'coverage/lcov.info': LCOV } },
    });
    const run = await preflight(sha);
    expect(run.outputs.decision).toBe('fail');
    const doc = facts(run);
    expect(doc.coverage).toBeUndefined();
    expect(doc.collectorErrors).toEqual([
      {
        collector: 'reports',
        message: expect.stringContaining(
          `Input "reports-artifact": run ${runId} of ci.yml (https://github.com/${REPO}/actions/runs/${runId}) has no artifact named "reports"`,
        ),
      },
    ]);
  });

  it('a report not in the artifact: that fact is missing, the error names its input and what the artifact holds', async () => {
    const sha = newSha();
    await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'success',
      artifact: { name: 'reports', files: { 'coverage/lcov.info': LCOV } },
    });
    const run = await preflight(sha);
    expect(run.outputs.decision).toBe('fail');
    const doc = facts(run);
    expect(doc.coverage).toMatchObject({ format: 'lcov' });
    expect(doc.security).toBeUndefined();
    expect(doc.collectorErrors).toEqual([
      {
        collector: 'security',
        message: expect.stringMatching(
          /^Input "sarif-files": security\/\*\.sarif is not in artifact "reports" of run \d+ of ci\.yml .*which holds coverage\/lcov\.info\. Set sarif-files/,
        ),
      },
    ]);
  });

  it('GitHub failing the run lookup: an error naming reports-workflow, never a pass', async () => {
    github.failNext(100);
    try {
      const run = await preflight(newSha());
      expect(run.outputs.decision).toBe('fail');
      expect(facts(run).collectorErrors?.[0]?.message).toMatch(
        /^Input "reports-workflow": the runs of ci\.yml could not be listed: .*Re-run the job once GitHub answers/,
      );
    } finally {
      github.failNext(0);
    }
  });

  it('an artifact download GitHub holds: stopped at 4 × timeout, an error naming reports-artifact, never a pass', async () => {
    const sha = newSha();
    await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha,
      conclusion: 'success',
      artifact: { name: 'reports', files: REPORTS },
    });
    artifacts.faults.slow(30_000, 'rest');
    try {
      const started = Date.now();
      const run = await preflight(sha, { timeout: '1s' });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(run.outputs.decision).toBe('fail');
      expect(facts(run).coverage).toBeUndefined();
      expect(facts(run).collectorErrors).toEqual([
        {
          collector: 'reports',
          message: expect.stringMatching(
            /^Input "reports-artifact": artifact "reports" of run \d+ of ci\.yml .* was not downloaded within 4 s/,
          ),
        },
      ]);
    } finally {
      artifacts.faults.reset();
    }
  });
});

describe('preflight-check reports inputs: one clear error, before anything is asked of GitHub', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'reports-artifact without reports-workflow',
      { 'reports-workflow': '' },
      /Input "reports-artifact": is set but reports-workflow is empty/,
    ],
    [
      'reports-workflow without reports-artifact',
      { 'reports-artifact': '' },
      /Input "reports-workflow": is set but reports-artifact is empty/,
    ],
    [
      'reports-workflow without github-token',
      { 'github-token': '' },
      /Input "reports-workflow": needs github-token/,
    ],
    [
      'a workflow that is not a file name',
      { 'reports-workflow': 'CI tests' },
      /Input "reports-workflow": "CI tests" is not a workflow file name or id/,
    ],
    [
      'an artifact name GitHub refuses',
      { 'reports-artifact': 'reports/v1' },
      /Input "reports-artifact": "reports\/v1" contains a character GitHub forbids/,
    ],
    [
      'a coverage path leaving the artifact',
      { 'coverage-file': '../../etc/passwd' },
      /Input "coverage-file": "..\/..\/etc\/passwd" is read inside the reports artifact, and leaves it/,
    ],
    [
      'nothing to read in the artifact',
      { 'coverage-file': '', 'sarif-files': '' },
      /Input "reports-workflow": is set but neither coverage-file nor sarif-files/,
    ],
  ];
  for (const [what, inputs, message] of cases) {
    it(what, async () => {
      const before = github.requests.length;
      const run = await preflight(newSha(), inputs);
      expect(run.exitCode).toBe(1);
      const errors = run.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toMatch(message);
      expect(run.outputs).toEqual({});
      expect(github.requests.length).toBe(before);
    });
  }
});
