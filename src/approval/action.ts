import { InputError } from '../errors.js';
import { runIdentity } from '../gate/run-identity.js';
import { readApprovalRecord } from '../github/approvals.js';
import { octokitFor } from '../github/octokit.js';
import { writeReportFile } from '../report/write-file.js';
import { type Runner, runContext } from '../runner/runner.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { readApprovalInputs, TOKEN_FIX } from './inputs.js';
import { type ApprovalVerdict, judgeApproval } from './judge.js';
import { readSignOff } from './sign-off.js';
import { approvalSummary } from './summary.js';

/** The approval does not hold: the job stops before it changes anything. */
export class ApprovalRefusedError extends Error {
  override readonly name = 'ApprovalRefusedError';
}

/**
 * At the start of a job that changes something: reads GitHub's record of the run's approval, writes it to
 * the evidence file and the summary, and stops the job (one error) unless the environment was approved,
 * inside the change window, and recently enough, by GitHub's clock.
 */
export async function checkApproval(runner: Runner): Promise<void> {
  const ctx = runContext(runner.env);
  const raw = runner.input('github-token');
  if (raw) runner.setSecret(raw);
  const inputs = readApprovalInputs((name) => runner.input(name), ctx);
  const signOff = inputs.signOffFile ? await readSignOff(inputs.signOffFile, ctx.workspace) : undefined;
  const runId = Number(ctx.runId);
  if (!Number.isSafeInteger(runId) || runId <= 0) {
    throw new InputError(
      'github-token',
      `cannot be used here: GITHUB_RUN_ID is ${JSON.stringify(ctx.runId)}, not a workflow run`,
      'Run approval-check in a GitHub Actions job (it reads that run’s approvals).',
    );
  }
  const octokit = await octokitFor(inputs.token, ctx.apiUrl);
  let record: Awaited<ReturnType<typeof readApprovalRecord>>;
  try {
    record = await readApprovalRecord(octokit, ctx.repository, runId, inputs.job, inputs.changingJobs);
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 401 || status === 403 || status === 404) {
      throw new InputError(
        'github-token',
        `GitHub answered ${status} to reading the approvals of run ${runId} in ${ctx.repository}`,
        TOKEN_FIX,
      );
    }
    throw new Error(
      `The approval could not be read from GitHub (${status ? `status ${status}` : (err as Error).message}): nothing was changed. Re-run the job.`,
    );
  }
  // The run's author: who started it, and who re-ran it (a re-run runs with the re-runner's approval too).
  const authors = [ctx.actor, runner.env.GITHUB_TRIGGERING_ACTOR ?? ''];
  const verdict = judgeApproval(record, inputs, inputs.job, signOff ? { signOff, authors } : undefined);
  const evidence = {
    schemaVersion: 1,
    kind: 'deploy-gates/approval-evidence',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    run: runIdentity(ctx),
    decision: verdict.problems.length === 0 ? 'pass' : 'fail',
    approval: verdict,
    jobs: record.jobs,
    changingJobs: record.changes,
  };
  await writeReportFile(inputs.evidenceFile, `${JSON.stringify(evidence, null, 2)}\n`);
  runner.setOutput('evidence', inputs.evidenceFile);
  runner.setOutput('state', verdict.state);
  runner.setOutput(
    'approved-by',
    verdict.reviews
      .filter((r) => r.state === 'approved')
      .map((r) => r.user)
      .join(','),
  );
  runner.setOutput('approved-at', verdict.approvedBy ?? '');
  await runner.appendSummary(approvalSummary(verdict, inputs.evidenceFile));
  if (verdict.problems.length > 0) {
    throw new ApprovalRefusedError(
      `The approval of ${verdict.environment} does not hold: ${verdict.problems.join('; ')}. Nothing was changed. ${fixFor(verdict)}`,
    );
  }
  runner.info(
    `${verdict.environment} approved by ${verdict.reviews.map((r) => `@${r.user}`).join(', ')}, ${verdict.ageMinutes} min ago (GitHub's clock), inside the change window.`,
  );
}

function fixFor(verdict: ApprovalVerdict): string {
  if (verdict.deadlinePassed)
    return 'Decide on rolling back what was already changed (the rollback job, or rollback.yml), then start a new run in the next change window.';
  if (verdict.state === 'rejected')
    return 'The reviewers refused this deploy; start a new run once their concerns are met.';
  if (verdict.state === 'missing')
    return 'Protect the environment with required reviewers (preflight.environment-protected checks it) and start a new run.';
  if (verdict.signOff?.roles.some((r) => !r.signer))
    return `Every role of ${verdict.signOff.file} needs its own approver, other than the run's author unless the file allows self-approval: start a new run and have each role's reviewers approve its environment.`;
  return 'Start a new run inside the change window: the reviewers approve it again.';
}
