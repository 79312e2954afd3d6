import { join } from 'node:path';
import type { CollectedFacts, GateAction } from '../gate/run-gate.js';
import { mergeFacts } from '../policy/facts.js';
import { writeReportFile } from '../report/write-file.js';
import { readValidateInputs, type ValidateInputs } from './inputs.js';
import { toValidationFacts, type ValidationFacts } from './measure.js';
import { sampleChecks } from './sample.js';
import { validationSummary } from './summary.js';
import { judge } from './verdict.js';

interface Collected extends CollectedFacts {
  postValidate: ValidationFacts;
}

/** Samples the new deployment, judges the aggregates with builtin:post-validate, and says whether to roll back. */
export const postValidateGate: GateAction<ValidateInputs, Collected> = {
  title: 'Post-deployment validation',
  reportName: 'post-validate',
  policies: 'builtin:post-validate',
  secrets: ['bearer-token', 'protection-bypass'],
  junitFile: (ctx) => join(ctx.runnerTemp, 'deploy-gates', `post-validate-${ctx.action}.xml`),
  readInputs: ({ input, ctx }) =>
    readValidateInputs(input, ctx, {
      bearerToken: input('bearer-token') || undefined,
      protectionBypass: input('protection-bypass') || undefined,
    }),
  collect: async ({ runner }, inputs) => {
    const { sampling } = inputs;
    runner.info(
      `Probing ${inputs.checks.length} checks (${inputs.checksSource}) ${sampling.samples}× each, ${sampling.intervalMs} ms apart, ${sampling.concurrency} at a time, timeout ${sampling.timeoutMs} ms`,
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
    return {
      facts: mergeFacts([doc], now),
      now,
      mode: inputs.failOnUnhealthy ? 'enforce' : 'audit',
      postValidate,
    };
  },
  decided: ({ runner, gate }, outcome, { postValidate }, inputs) => {
    const judgement = judge(outcome, { postValidate });
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
    runner.setOutput('junit-file', gate.junitFile ?? '');
    for (const r of judgement.reasons) runner.info(`Reason: ${r.sentence}`);
    return { details: `${validationSummary(postValidate, judgement)}\n` };
  },
};
