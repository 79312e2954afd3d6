/**
 * The coverage and security reports of the commit being deployed, as its CI produced them: a deploy
 * workflow does not run the tests, so the reports come from the newest successful run of the CI workflow
 * for GITHUB_SHA, from the artifact that run uploaded. Anything short of that (no green run, no artifact,
 * a report not in it, GitHub not answering) is an error naming the input to fix: the facts are then
 * missing and the gate fails, never passes on reports of another commit or of a red run.
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, InputError } from '../../errors.js';
import { repoParams } from '../../github/octokit.js';
import { successfulRuns, type WorkflowRun, withDeadline } from '../../github/workflow-runs.js';
import type { RunContext } from '../../runner/runner.js';
import type { ReportsInputs } from '../inputs.js';

/** Where the reports came from, for the approvers: the run, its commit and the artifact's digest. */
export interface ReportsFacts {
  workflow: string;
  runId: number;
  runNumber: number | null;
  runUrl: string;
  headSha: string;
  artifact: string;
  artifactId: number;
  /** `sha256:<hex>` GitHub recorded at upload, which the download was checked against; null if none. */
  digest: string | null;
  /** Every file in the artifact, relative to its root. */
  files: string[];
}

export interface FetchedReports {
  /** The artifact's files, extracted under RUNNER_TEMP. */
  dir: string;
  facts: ReportsFacts;
}

/**
 * How long the artifact's download may take, the library's own retries included: it sets no deadline
 * on its GitHub requests, so without one a request GitHub holds would hold the step.
 */
export const downloadDeadlineMs = (timeoutMs: number): number => 4 * timeoutMs;

/** The newest run of the workflow for `sha` that succeeded (GitHub lists runs newest first). */
async function newestGreenRun(
  reports: ReportsInputs,
  ctx: RunContext,
  token: string,
  timeoutMs: number,
): Promise<WorkflowRun> {
  const { workflow } = reports;
  const runs = await successfulRuns(
    { input: 'reports-workflow', workflow, headSha: ctx.sha, perPage: 10 },
    ctx,
    token,
    timeoutMs,
  );
  const green = runs[0];
  if (!green)
    throw new InputError(
      'reports-workflow',
      `no successful run of ${workflow} for commit ${ctx.sha.slice(0, 12)} (a failed, cancelled or unfinished run is not used)`,
      `Let ${workflow} finish green on this commit before deploying, or set reports-workflow to the workflow that uploads the reports.`,
    );
  return green;
}

/** Every file under `dir`, relative to it, sorted. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Finds the commit's green CI run and downloads its reports artifact into a fresh folder of RUNNER_TEMP. */
export async function fetchReports(
  reports: ReportsInputs,
  ctx: RunContext,
  token: string,
  timeoutMs: number,
): Promise<FetchedReports> {
  const run = await newestGreenRun(reports, ctx, token, timeoutMs);
  const runUrl = run.html_url ?? `${ctx.serverUrl}/${ctx.repository}/actions/runs/${run.id}`;
  const where = `run ${run.id} of ${reports.workflow} (${runUrl})`;
  const { owner, repo } = repoParams(ctx.repository);
  const parent = join(ctx.runnerTemp, 'deploy-gates');
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'reports-'));
  // @actions/artifact loads only when reports are read from CI: it costs more than the rest of the start.
  const [{ DefaultArtifactClient }, { downloadArtifactInto }] = await Promise.all([
    import('@actions/artifact'),
    import('../../github/run-artifact.js'),
  ]);
  const deadline = downloadDeadlineMs(timeoutMs);
  const artifact = await withDeadline(
    deadline,
    async () => {
      try {
        return await downloadArtifactInto(new DefaultArtifactClient(), reports.artifact, dir, {
          findBy: { token, workflowRunId: run.id, repositoryOwner: owner, repositoryName: repo },
        });
      } catch (err) {
        if ((err as Error).name === 'ArtifactNotFoundError' || /\(404\)/.test(errorMessage(err)))
          throw new InputError(
            'reports-artifact',
            `${where} has no artifact named "${reports.artifact}"`,
            `Upload the reports in ${reports.workflow} with actions/upload-artifact under the name "${reports.artifact}" (or set reports-artifact to the name it uses); an expired artifact needs a new run of ${reports.workflow}.`,
          );
        throw new InputError(
          'reports-artifact',
          `artifact "${reports.artifact}" of ${where} could not be downloaded: ${errorMessage(err).split('\n')[0]}`,
          'Re-run the job once GitHub answers.',
        );
      }
    },
    () =>
      new InputError(
        'reports-artifact',
        `artifact "${reports.artifact}" of ${where} was not downloaded within ${deadline / 1000} s`,
        'Re-run the job once GitHub answers, or give it longer with timeout (the download may take 4 × timeout).',
      ),
  );
  return {
    dir,
    facts: {
      workflow: reports.workflow,
      runId: run.id,
      runNumber: run.run_number ?? null,
      runUrl,
      headSha: run.head_sha ?? ctx.sha,
      artifact: reports.artifact,
      artifactId: artifact.id,
      digest: artifact.digest ?? null,
      files: await filesIn(dir),
    },
  };
}

/** A report the input names, inside the artifact: missing, the error says what the artifact does hold. */
export function notInArtifact(input: string, pattern: string, facts: ReportsFacts): InputError {
  const holds = facts.files.length ? facts.files.slice(0, 20).join(', ') : 'no file';
  return new InputError(
    input,
    `${pattern} is not in artifact "${facts.artifact}" of run ${facts.runId} of ${facts.workflow} (${facts.runUrl}), which holds ${holds}`,
    `Set ${input} to the path inside the artifact as the upload step stored it (relative to the folder it uploaded), or upload the report under that path.`,
  );
}
