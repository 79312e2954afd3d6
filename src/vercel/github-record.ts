import { errorMessage, InputError } from '../errors.js';
import type { GitHubDeployments } from '../github/deployments.js';
import { runUrl } from '../incident/body.js';
import type { RunContext, Runner } from '../runner/runner.js';
import type { DeployOutcome } from './run.js';

/**
 * Runs the deploy inside a GitHub Deployment of the environment: in_progress before anything changes
 * (so a token without `deployments: write` stops the step before Vercel is touched), then success with
 * the environment URL and the earlier ones retired, or failure with the reason.
 */
export async function recordedOnGitHub(
  record: GitHubDeployments | undefined,
  runner: Runner,
  ctx: RunContext,
  deploy: () => Promise<DeployOutcome>,
): Promise<DeployOutcome> {
  if (!record) return deploy();
  if (!ctx.sha)
    throw new Error('GITHUB_SHA is not set, so no GitHub deployment can be recorded for the commit');
  const logUrl = runUrl({ ...ctx, attempt: ctx.runAttempt });
  const { deployment, created } = await record
    .forRun(ctx.sha, ctx.runId, { tool: 'deploy-gates' }, `Vercel deploy from run ${ctx.runId}`)
    .catch((err) => {
      const status = (err as { status?: number }).status;
      if (status === 401 || status === 403)
        throw new InputError(
          'github-token',
          `was refused by GitHub (${status}: ${errorMessage(err)}) when creating the deployment`,
          'Give the job `permissions: deployments: write` and pass github.token, or leave github-environment empty. Nothing was deployed.',
        );
      throw new Error(
        `the GitHub deployment for environment "${record.environment}" could not be created (${errorMessage(err)}). Give the job \`permissions: deployments: write\`, or leave github-environment empty. Nothing was deployed.`,
      );
    });
  runner.setOutput('github-deployment-id', deployment.id);
  runner.info(
    `GitHub deployment ${deployment.id} (${record.environment}) ${created ? 'created' : "found from this run's earlier attempt"}`,
  );
  await record.setStatus(deployment.id, 'in_progress', { logUrl, description: 'Deploying to Vercel' });
  let outcome: DeployOutcome;
  try {
    outcome = await deploy();
  } catch (err) {
    await record
      .setStatus(deployment.id, 'failure', { logUrl, description: errorMessage(err) })
      .catch((e) => runner.warning(`The GitHub deployment could not be marked failed: ${errorMessage(e)}`));
    throw err;
  }
  await record.setStatus(deployment.id, 'success', {
    logUrl,
    environmentUrl: outcome.environmentUrl,
    description: `Vercel ${outcome.deploymentId}`,
  });
  const retired = await record.retireOthers(deployment.id);
  if (retired.length > 0) runner.info(`Marked earlier GitHub deployment(s) ${retired.join(', ')} inactive`);
  return outcome;
}
