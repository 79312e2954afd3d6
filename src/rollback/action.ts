import { InputError } from '../errors.js';
import { GitHubDeployments } from '../github/deployments.js';
import { octokitFor, repoParams } from '../github/octokit.js';
import { runUrl } from '../incident/body.js';
import { IncidentIssues } from '../incident/issues.js';
import type { InputReader } from '../runner/inputs.js';
import type { Runner } from '../runner/runner.js';
import { runContext } from '../runner/runner.js';
import { readOrigin } from '../validate/inputs.js';
import { githubDeploymentStatus } from './github-status.js';
import { type RollbackInputs, readRollbackInputs } from './inputs.js';
import { factRows, outcomeOf, type RollbackResult, rollbackFacts, runRollback } from './rollback.js';
import { rollbackSummary } from './summary.js';
import { vercelProductionControl } from './vercel-app.js';
import { readVerifyChecks, verifyStep } from './verify-step.js';

/** The steps that bring something back; when none of them failed, the world is rolled back. */
const RESTORING = ['app', 'database', 'hooks'];

/**
 * Every input and the verify checks, read and checked before the rollback changes anything (and by the
 * playbook's plan job, before the approval).
 */
export async function readRollbackStart(
  input: InputReader,
  mask: (secret: string) => void,
  workspace: string,
) {
  const inputs = readRollbackInputs(input, mask);
  // The API host is where users reach the API: verified with production, its checks read up front.
  const apiUrl = readOrigin('verify-api-url', input('verify-api-url'), 'https://api.neonpro.healthcare');
  if (apiUrl && !inputs.verify.url) {
    throw new InputError(
      'verify-api-url',
      'is set but verify-url is empty',
      'Set verify-url to the production domain (e.g. https://neonpro.healthcare) so both are verified, or leave verify-api-url empty.',
    );
  }
  // A checks file is read even without verify-url: a typo in it is an input error either way.
  const verifyChecks =
    inputs.verify.url || inputs.verify.checks
      ? await readVerifyChecks({
          checksFile: inputs.verify.checks || undefined,
          apiUrl,
          workspace,
        })
      : [];
  return { inputs, verifyChecks };
}

/** The outputs, the job summary, and a failed step when any step failed. */
async function publishRollback(runner: Runner, inputs: RollbackInputs, result: RollbackResult) {
  const { log, run, incidentUrl } = result;
  const facts = rollbackFacts(log, inputs);
  const rolledBack = RESTORING.every((n) => log.get(n) && log.get(n)?.status !== 'failed');
  runner.setOutput('rolled-back', rolledBack);
  runner.setOutput('app-restored-to', facts.appRestoredTo);
  runner.setOutput('database-restored-from', facts.databaseRestoredFrom);
  runner.setOutput('safety-backup-id', facts.safetyBackupId);
  runner.setOutput('later-safety-backup-id', facts.laterSafetyBackupId);
  runner.setOutput('rows-written-since-first-attempt', facts.rowsWrittenSinceFirstAttempt || '0');
  runner.setOutput('rows-written-since-backup', facts.rowsWrittenSinceBackup || '0');
  runner.setOutput('writes-since-backup', JSON.stringify(facts.writesSinceBackup));
  const recorded = log.get('record')?.data?.incidentUrl;
  runner.setOutput('incident-url', incidentUrl ?? (typeof recorded === 'string' ? recorded : ''));
  runner.setOutput('steps', JSON.stringify(log));
  await runner.appendSummary(rollbackSummary(log, factRows(facts), run, incidentUrl, outcomeOf(log, true)));

  const failed = log.failed();
  if (failed.length > 0) {
    const details = failed.map((n) => `${log.title(n)}: ${log.get(n)?.detail}`).join(' | ');
    throw new Error(
      `Rollback incomplete (${failed.length} of ${log.entries().length} steps failed). ${details} Fix the cause and re-run this job: finished steps are not repeated.`,
    );
  }
}

/** The playbook's Rollback Procedures: app, database, hooks, verify, record — each resumable on re-run. */
export async function rollback(runner: Runner): Promise<void> {
  const ctx = runContext(runner.env);
  const { inputs, verifyChecks } = await readRollbackStart(
    (name) => runner.input(name),
    (secret) => runner.setSecret(secret),
    ctx.workspace,
  );
  const repo = repoParams(ctx.repository);
  const log = { info: (m: string) => runner.info(m), warning: (m: string) => runner.warning(m) };
  const db = inputs.database;
  const octokit = await octokitFor(inputs.github.token, ctx.apiUrl);
  const failedGitHubDeployment = inputs.github.deploymentId;
  // The database steps (and pg, the backup store, the restore tools) load only for a rollback that
  // restores a database: an app-only rollback starts without them.
  const dbSteps =
    db.target && db.restore !== 'never'
      ? await Promise.all([import('./database-ops.js'), import('./database-step.js')])
      : undefined;
  const ops = dbSteps ? await dbSteps[0].databaseOps(inputs, ctx, log.info) : undefined;
  try {
    await ops?.checkBackup();
    const result = await runRollback(runner, ctx, inputs, {
      control: vercelProductionControl(
        { ...inputs.vercel, budget: { callMs: inputs.aliasTimeoutMs, log: log.info } },
        inputs.aliasTimeoutMs,
      ),
      issues: new IncidentIssues(octokit, repo, ctx.runId, 'incident'),
      ...(failedGitHubDeployment
        ? {
            deploymentStatus: githubDeploymentStatus(
              new GitHubDeployments(octokit, repo, inputs.github.environment),
              failedGitHubDeployment,
              { logUrl: runUrl({ ...ctx, attempt: ctx.runAttempt }), reason: inputs.reason },
            ),
          }
        : {}),
      ...(ops && dbSteps
        ? {
            database: dbSteps[1].databaseStep({
              ops,
              mode: db.restore,
              migrationsApplied: db.migrationsApplied,
              allowDataLoss: db.allowDataLoss,
              log,
            }),
          }
        : {}),
      ...(inputs.verify.url ? { verify: verifyStep({ url: inputs.verify.url, checks: verifyChecks }) } : {}),
    });
    await publishRollback(runner, inputs, result);
  } finally {
    await ops?.dispose();
  }
}
