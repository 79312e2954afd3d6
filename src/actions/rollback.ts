import { InputError } from '../errors.js';
import { GitHubDeployments } from '../github/deployments.js';
import { octokitFor, repoParams } from '../github/octokit.js';
import { runUrl } from '../incident/body.js';
import { IncidentIssues } from '../incident/issues.js';
import { databaseOps } from '../rollback/database-ops.js';
import { databaseStep } from '../rollback/database-step.js';
import { githubDeploymentStatus } from '../rollback/github-status.js';
import { readRollbackInputs } from '../rollback/inputs.js';
import { runRollback } from '../rollback/rollback.js';
import { vercelProductionControl } from '../rollback/vercel-app.js';
import { readVerifyChecks, verifyStep } from '../rollback/verify-step.js';
import { runAction } from '../runner/run-action.js';
import { runContext } from '../runner/runner.js';
import { readOrigin } from '../validate/inputs.js';

// The playbook's Rollback Procedures: app, database, hooks, verify, record — each resumable on re-run.
await runAction(async (runner) => {
  const ctx = runContext(runner.env);
  const inputs = readRollbackInputs(
    (name) => runner.input(name),
    (secret) => runner.setSecret(secret),
  );
  // The API host is where users reach the API: verified with production, its checks read up front.
  const apiUrl = readOrigin(
    'verify-api-url',
    runner.input('verify-api-url'),
    'https://api.neonpro.healthcare',
  );
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
          workspace: ctx.workspace,
        })
      : [];
  const repo = repoParams(ctx.repository);
  const log = { info: (m: string) => runner.info(m), warning: (m: string) => runner.warning(m) };
  const db = inputs.database;
  const octokit = await octokitFor(inputs.github.token, ctx.apiUrl);
  const failedGitHubDeployment = inputs.github.deploymentId;
  const ops = db.target && db.restore !== 'never' ? await databaseOps(inputs, ctx) : undefined;
  try {
    await ops?.checkBackup();
    await runRollback(runner, ctx, inputs, {
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
      ...(ops
        ? {
            database: databaseStep({
              ops,
              mode: db.restore,
              migrationsApplied: db.migrationsApplied,
              allowDataLoss: db.allowDataLoss,
              log,
            }),
          }
        : {}),
      ...(inputs.verify.url
        ? {
            verify: verifyStep({ url: inputs.verify.url, checks: verifyChecks }),
          }
        : {}),
    });
  } finally {
    await ops?.dispose();
  }
});
