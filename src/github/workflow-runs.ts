/**
 * The successful runs of one workflow of the repository, newest first, as GitHub lists them; what an
 * input naming a workflow (reports-workflow, backup-drills) reads. Errors name that input and its fix.
 */
import { errorMessage, InputError } from '../errors.js';
import type { RunContext } from '../runner/runner.js';
import { octokitFor, repoParams } from './octokit.js';

export interface WorkflowRun {
  id: number;
  run_number?: number;
  html_url?: string;
  head_sha?: string;
  conclusion?: string | null;
}

export interface RunsQuery {
  /** The input that named the workflow, for the error. */
  input: string;
  /** A file name (ci.yml) or a numeric id. */
  workflow: string;
  headSha?: string;
  perPage: number;
}

export async function successfulRuns(
  query: RunsQuery,
  ctx: RunContext,
  token: string,
  timeoutMs: number,
): Promise<WorkflowRun[]> {
  const { owner, repo } = repoParams(ctx.repository);
  const octokit = await octokitFor(token, ctx.apiUrl, { timeoutMs });
  const { workflow, input } = query;
  let runs: WorkflowRun[];
  try {
    const { data } = await octokit.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: /^\d+$/.test(workflow) ? Number(workflow) : workflow,
      ...(query.headSha ? { head_sha: query.headSha } : {}),
      status: 'success',
      per_page: query.perPage,
    });
    runs = data.workflow_runs;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404)
      throw new InputError(
        input,
        `GitHub knows no workflow ${workflow} in ${ctx.repository}`,
        `Set ${input} to the file name of the workflow (in .github/workflows/), e.g. ${input === 'reports-workflow' ? 'ci.yml' : 'backup-drill.yml'}.`,
      );
    if (status === 401 || status === 403)
      throw new InputError(
        input,
        `GitHub refused to list the runs of ${workflow} (HTTP ${status})`,
        "Give the job's token `actions: read` (github-token).",
      );
    throw new InputError(
      input,
      `the runs of ${workflow} could not be listed: ${errorMessage(err)}`,
      'Re-run the job once GitHub answers.',
    );
  }
  // Checked here too: a run of another commit, or one that did not succeed, must never supply facts.
  return runs.filter((r) => r.conclusion === 'success' && (!query.headSha || r.head_sha === query.headSha));
}

export async function withDeadline<T>(ms: number, what: () => Promise<T>, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([what(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
