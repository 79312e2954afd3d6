import { GitHubDeployments } from '../github/deployments.js';
import { octokitFor, repoParams } from '../github/octokit.js';
import { type Runner, runContext } from '../runner/runner.js';
import { recordedOnGitHub } from './github-record.js';
import { readDeployInputs } from './inputs.js';
import { checkedProject, deployToVercel } from './run.js';

/** Playbook Steps 3 and 4B: build once, deploy staged, promote that same deployment, check the domain moved. */
export async function vercelDeploy(runner: Runner): Promise<void> {
  const ctx = runContext(runner.env);
  const input = (name: string) => runner.input(name);
  const inputs = readDeployInputs(input, ctx, (m) => runner.info(m));
  const project = await checkedProject(inputs);
  let record: GitHubDeployments | undefined;
  if (inputs.github) {
    record = new GitHubDeployments(
      await octokitFor(inputs.github.token, ctx.apiUrl),
      repoParams(ctx.repository),
      inputs.github.environment,
    );
  }
  await recordedOnGitHub(record, runner, ctx, () => deployToVercel(runner, ctx, inputs, project));
}
