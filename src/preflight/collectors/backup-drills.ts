/**
 * The backup drills' results, as the shipped backup-drill.yml leaves them: each successful run uploads
 * the manifest of the backup it took and verified (weekly) or restored into a scratch database (monthly)
 * as the artifact deploy-gates-backup-drill. The newest runs are read until a restore test is found, so
 * the backup rules judge the drills' own records, not a claim made elsewhere.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { repoParams } from '../../github/octokit.js';
import { successfulRuns, withDeadline } from '../../github/workflow-runs.js';
import type { RunContext } from '../../runner/runner.js';
import type { ManifestText } from './backups.js';
import { downloadDeadlineMs } from './reports.js';

/** The artifact name backup-drill.yml uploads under; one name, so a run of another workflow is never read. */
export const DRILL_ARTIFACT = 'deploy-gates-backup-drill';

/** Weekly verifications and a monthly restore test: ten runs reach back past the newest restore test. */
const RUNS_READ = 10;

const restoreTested = (text: string): boolean => {
  try {
    const doc = JSON.parse(text) as { verification?: { restore?: unknown } };
    return doc?.verification?.restore === 'matched';
  } catch {
    return false;
  }
};

export async function fetchDrillManifests(
  workflow: string,
  ctx: RunContext,
  token: string,
  timeoutMs: number,
): Promise<ManifestText[]> {
  const runs = await successfulRuns(
    { input: 'backup-drills', workflow, perPage: RUNS_READ },
    ctx,
    token,
    timeoutMs,
  );
  if (runs.length === 0)
    throw new Error(
      `no successful run of ${workflow} in ${ctx.repository}: no backup drill has passed (schedule ${workflow} weekly and monthly, see backup-drill.yml)`,
    );
  const { owner, repo } = repoParams(ctx.repository);
  const parent = join(ctx.runnerTemp, 'deploy-gates');
  await mkdir(parent, { recursive: true });
  const [{ DefaultArtifactClient }, { downloadArtifactInto }] = await Promise.all([
    import('@actions/artifact'),
    import('../../github/run-artifact.js'),
  ]);
  const client = new DefaultArtifactClient();
  const found: ManifestText[] = [];
  const deadline = downloadDeadlineMs(timeoutMs);
  for (const run of runs) {
    const dir = await mkdtemp(join(parent, 'drill-'));
    try {
      await withDeadline(
        deadline,
        () =>
          downloadArtifactInto(client, DRILL_ARTIFACT, dir, {
            findBy: { token, workflowRunId: run.id, repositoryOwner: owner, repositoryName: repo },
          }),
        () =>
          new Error(
            `artifact ${DRILL_ARTIFACT} of run ${run.id} of ${workflow} was not downloaded within ${deadline / 1000} s`,
          ),
      );
    } catch (err) {
      // An expired artifact leaves the run without a record: older runs may still hold one.
      if (
        (err as Error).name === 'ArtifactNotFoundError' ||
        (err as { status?: number }).status === 404 ||
        /\(404\)/.test(errorMessage(err))
      )
        continue;
      throw err;
    }
    const runUrl = run.html_url ?? `${ctx.serverUrl}/${ctx.repository}/actions/runs/${run.id}`;
    const texts: ManifestText[] = [];
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
      texts.push({
        text: await readFile(join(dir, name), 'utf8'),
        display: `${workflow} run ${run.id} (${runUrl})`,
      });
    }
    await rm(dir, { recursive: true, force: true });
    found.push(...texts);
    if (texts.some((t) => restoreTested(t.text))) break;
  }
  if (found.length === 0)
    throw new Error(
      `none of the ${runs.length} newest successful runs of ${workflow} holds the artifact ${DRILL_ARTIFACT} (expired, or the drill did not upload it)`,
    );
  return found;
}
