import { join } from 'node:path';
import { readGateInputs } from '../gate/gate-inputs.js';
import { prepareGate } from '../gate/prepare-gate.js';
import { publishOutcome } from '../gate/publish-outcome.js';
import { mergeFacts } from '../policy/facts.js';
import { decideGate } from '../policy/gate.js';
import { writeReportFile } from '../report/write-file.js';
import { runAction } from '../runner/run-action.js';
import { runContext } from '../runner/runner.js';
import { readValidateInputs } from '../validate/inputs.js';
import { toValidationFacts } from '../validate/measure.js';
import { sampleChecks } from '../validate/sample.js';
import { validationSummary } from '../validate/summary.js';
import { judge } from '../validate/verdict.js';

// Samples the new deployment, judges the aggregates with builtin:post-validate, and says whether to roll back.
await runAction(async (runner) => {
  const ctx = runContext(runner.env);
  const input = (name: string) => runner.input(name);
  const bearerToken = input('bearer-token') || undefined;
  if (bearerToken) runner.setSecret(bearerToken);
  const protectionBypass = input('protection-bypass') || undefined;
  if (protectionBypass) runner.setSecret(protectionBypass);
  const gateInputs = readGateInputs(
    input,
    ctx,
    {
      reportName: 'post-validate',
      policies: 'builtin:post-validate',
    },
    (secret) => runner.setSecret(secret),
  );
  gateInputs.junitFile ??= join(ctx.runnerTemp, 'deploy-gates', `post-validate-${ctx.action}.xml`);
  const inputs = await readValidateInputs(input, ctx, { bearerToken, protectionBypass });
  const prepared = await prepareGate(gateInputs, ctx.workspace, ctx.apiUrl);

  const { sampling } = inputs;
  runner.info(
    `Probing ${inputs.checks.length} checks (${inputs.checksSource}) ${sampling.samples}× each, ${sampling.intervalMs} ms apart, ${sampling.concurrency || 'all'} at a time, timeout ${sampling.timeoutMs} ms`,
  );
  const runs = await runner.group('Samples', () =>
    sampleChecks(inputs.checks, {
      ...sampling,
      // One line per sample; the problem text never holds the response body.
      onSample: (check, s) =>
        runner.info(
          `${check.name} #${s.n}: ${s.status ?? s.errorClass} in ${Math.round(s.latencyMs)} ms${s.problem ? ` (${s.outcome}: ${JSON.stringify(s.problem)})` : ''}`,
        ),
    }),
  );
  const now = new Date();
  const postValidate = toValidationFacts(runs, inputs.thresholds, inputs.limits, sampling.baseUrl);
  const doc = { postValidate };
  await writeReportFile(inputs.factsFile, `${JSON.stringify(doc, null, 2)}\n`);

  const outcome = await decideGate({
    ...prepared,
    facts: mergeFacts([doc], now),
    failOn: gateInputs.failOn,
    mode: inputs.failOnUnhealthy ? 'enforce' : 'audit',
    now,
  });
  const judgement = judge(outcome, doc);
  runner.setOutput('verdict', judgement.verdict);
  runner.setOutput('healthy', judgement.healthy);
  runner.setOutput('rollback-recommended', judgement.rollbackRecommended);
  runner.setOutput(
    'reasons',
    JSON.stringify(
      judgement.reasons.map(({ check, threshold, measured }) => ({ check, threshold, measured })),
    ),
  );
  runner.setOutput('p95-ms', postValidate.totals.latencyMs?.p95 ?? '');
  runner.setOutput('error-rate', postValidate.totals.errorRate ?? '');
  runner.setOutput('facts', inputs.factsFile);
  runner.setOutput('junit-file', gateInputs.junitFile);
  for (const r of judgement.reasons) runner.info(`Reason: ${r.sentence}`);

  await publishOutcome(
    runner,
    ctx,
    outcome,
    gateInputs,
    'Post-deployment validation',
    `${validationSummary(postValidate, judgement)}\n`,
  );
});
