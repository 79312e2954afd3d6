import { InputError } from '../errors.js';
import type { CollectedFacts, GateAction, GateStep } from '../gate/run-gate.js';
import { repoClient } from '../github/octokit.js';
import { WATCH_INPUTS } from '../inputs/watch.js';
import type { GateOutcome } from '../policy/types.js';
import { GITHUB_TOKEN_DEFAULT } from '../runner/declared-inputs.js';
import { parseBoolean, parseInteger, parseName, parseSecretToken } from '../runner/inputs.js';
import type { Runner } from '../runner/runner.js';
import { postValidateGate } from '../validate/action.js';
import { readOrigin, type ValidateInputs } from '../validate/inputs.js';
import type { ValidationFacts } from '../validate/measure.js';
import { lastLiveDeployment, type WatchedDeployment } from './deployment.js';
import { dueHorizons, HORIZONS, type HorizonId, markerPrefix, recordedHorizons } from './horizons.js';

export interface WatchInputs {
  token: string;
  rollbackToken: string;
  environment: string;
  issue: number;
  rollbackDispatch: boolean;
  rollbackWorkflow: string;
  rollbackRef: string;
  validate: ValidateInputs;
}

interface Collected extends CollectedFacts {
  postValidate: ValidationFacts;
  deployment: WatchedDeployment;
  due: HorizonId[];
}

/** Thrown when no horizon is due: the step ends successfully without measuring or recording anything. */
export class NothingDue extends Error {}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

/** The sentence a horizon's comment and the week report give for a recorded status. */
const recorded = (deployment: WatchedDeployment) =>
  HORIZONS.flatMap((h) =>
    deployment.statuses
      .filter((s) => s.description.startsWith(markerPrefix(h.id)))
      .slice(-1)
      .map(
        (s) =>
          `- ${h.id} (${h.what}): ${s.description.slice(markerPrefix(h.id).length).trim()} at ${s.createdAt}`,
      ),
  );

/**
 * The post-deployment watch: the last live deployment's due horizons (T+1h, T+24h, T+1w after its success
 * status, by GitHub's clock) are judged with post-validate's checks, thresholds and policy, and recorded as
 * deployment statuses (the marker a re-run or a later schedule finds), in an issue comment, and with a
 * rollback recommendation (or dispatch, when opted in) when the day-after check fails.
 */
export const watchGate: GateAction<WatchInputs, Collected> = {
  title: 'Post-deployment watch',
  reportName: 'watch',
  policies: 'builtin:post-validate',
  junitFile: postValidateGate.junitFile,
  readInputs: async (step) => {
    const { input } = step;
    const token = input('github-token');
    if (!token) {
      throw new InputError(
        'github-token',
        'is empty',
        `Pass ${GITHUB_TOKEN_DEFAULT} (the default) or a token with deployments and issues write.`,
      );
    }
    parseSecretToken('github-token', token);
    const environment = parseName(
      'environment',
      input('environment') || 'production',
      'a GitHub environment name',
    );
    const issue = parseInteger('issue', input('issue'), 0, WATCH_INPUTS.issue);
    const rollbackDispatch = parseBoolean('rollback-dispatch', input('rollback-dispatch'), false);
    const rollbackWorkflow = parseName(
      'rollback-workflow',
      input('rollback-workflow') || 'rollback.yml',
      'a workflow file name',
    );
    const rollbackRef = parseName('rollback-ref', input('rollback-ref') || 'main', 'a branch name');
    const rollbackToken = input('rollback-token');
    if (rollbackToken) parseSecretToken('rollback-token', rollbackToken);
    const validate = await postValidateGate.readInputs(step);
    return {
      token,
      rollbackToken,
      environment,
      issue,
      rollbackDispatch,
      rollbackWorkflow,
      rollbackRef,
      validate,
    };
  },
  collect: async (step, inputs, decide) => {
    const { runner, ctx } = step;
    const { octokit, owner, repo } = await repoClient(inputs.token, ctx.apiUrl, ctx.repository);
    const deployment = await lastLiveDeployment(octokit, { owner, repo }, inputs.environment);
    if (!deployment) {
      throw new Error(
        `No deployment of environment "${inputs.environment}" in ${ctx.repository} is live (a success status, not rolled back, failed or replaced since): nothing to watch, and nothing measured is not a pass. Check the environment input, or deploy first.`,
      );
    }
    const elapsed = deployment.githubNow.getTime() - deployment.liveSince.getTime();
    const due = dueHorizons(elapsed, recordedHorizons(deployment.statuses.map((s) => s.description)));
    runner.setOutput('deployment-id', deployment.id);
    runner.info(
      `Deployment ${deployment.id} (${deployment.sha}) live since ${deployment.liveSince.toISOString()}, ${hours(elapsed)} ago by GitHub's clock; due: ${due.join(', ') || 'nothing'}`,
    );
    if (due.length === 0) throw new NothingDue();
    const baseUrl =
      inputs.validate.sampling.baseUrl ??
      readOrigin('base-url', deployment.environmentUrl.replace(/\/+$/, ''), 'https://app.example.com');
    const validate = { ...inputs.validate, sampling: { ...inputs.validate.sampling, baseUrl } };
    const measured = await postValidateGate.collect(step, validate, decide);
    return { ...measured, deployment, due };
  },
  decided: async (step, outcome, collected, inputs) => {
    const summary = await postValidateGate.decided?.(step, outcome, collected, inputs.validate);
    await record(step, outcome, collected, inputs);
    return summary;
  },
};

async function record(step: GateStep, outcome: GateOutcome, collected: Collected, inputs: WatchInputs) {
  const { runner, ctx } = step;
  const { deployment, due } = collected;
  const pass = outcome.decision === 'pass';
  const verdict = pass ? 'pass' : 'fail';
  const { octokit, owner, repo } = await repoClient(inputs.token, ctx.apiUrl, ctx.repository);
  const runUrl = `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}`;
  const rollbackUrl = `${ctx.serverUrl}/${ctx.repository}/actions/workflows/${inputs.rollbackWorkflow}`;
  const dayAfter = due.some((h) => h !== 'T+1h');
  const recommend = !pass && dayAfter;
  const p95 = collected.postValidate.totals.latencyMs?.p95;
  const errorRate = collected.postValidate.totals.errorRate;
  const measured = `p95 ${p95 === undefined ? 'n/a' : `${Math.round(p95)} ms`}, error rate ${errorRate ?? 'n/a'}`;
  // The markers first: a re-run finds them and neither measures, comments nor dispatches again.
  for (const h of due) {
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deployment.id,
      state: pass ? 'success' : 'failure',
      description: `${markerPrefix(h)} ${verdict} (${measured})`.slice(0, 140),
      ...(deployment.environmentUrl ? { environment_url: deployment.environmentUrl } : {}),
      log_url: runUrl,
      auto_inactive: false,
    });
  }
  let dispatched = false;
  if (recommend && inputs.rollbackDispatch) {
    const dispatcher = inputs.rollbackToken
      ? (await repoClient(inputs.rollbackToken, ctx.apiUrl, ctx.repository)).octokit
      : octokit;
    await dispatcher.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: inputs.rollbackWorkflow,
      ref: inputs.rollbackRef,
      inputs: {
        reason: `deploy-gates watch ${due.at(-1)}: deployment ${deployment.id} failed its checks (${measured}); ${runUrl}`,
        'run-id': String(deployment.payload.deployGatesRun ?? ''),
      },
    });
    dispatched = true;
    runner.warning(`Rollback started: ${inputs.rollbackWorkflow} dispatched on ${inputs.rollbackRef}.`);
  } else if (recommend) {
    runner.warning(`Rollback recommended: run ${rollbackUrl} (workflow_dispatch).`);
  }
  runner.setOutput('horizons', due.join(','));
  runner.setOutput('rollback-dispatched', dispatched);
  if (inputs.issue > 0) {
    const lines = [
      `### deploy-gates watch ${due.join(', ')}: ${verdict}`,
      '',
      `Deployment ${deployment.id} (\`${deployment.sha}\`, ${deployment.environmentUrl || 'no URL'}) of ${inputs.environment}, live since ${deployment.liveSince.toISOString()}: ${measured}. [Run](${runUrl})`,
    ];
    if (recommend)
      lines.push(
        '',
        dispatched
          ? `**Rollback started**: [${inputs.rollbackWorkflow}](${rollbackUrl}) was dispatched on \`${inputs.rollbackRef}\`.`
          : `**Rollback recommended**: run [${inputs.rollbackWorkflow}](${rollbackUrl}) (Run workflow).`,
      );
    if (due.includes('T+1w')) {
      const earlier = recorded(deployment);
      lines.push(
        '',
        '#### The week',
        '',
        ...(earlier.length ? earlier : ['- no earlier horizon was recorded']),
      );
      lines.push(`- T+1w: ${verdict} (${measured})`);
    }
    await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: inputs.issue,
      body: lines.join('\n'),
    });
  }
}

/** Runs the due horizons; a run with nothing due ends successfully and changes nothing. */
export async function watch(runner: Runner, run: (runner: Runner) => Promise<void>): Promise<void> {
  try {
    await run(runner);
  } catch (err) {
    if (!(err instanceof NothingDue)) throw err;
    runner.setOutput('horizons', '');
    runner.info('No horizon is due, or every due one is recorded already: nothing to do.');
  }
}
