import { CLOCK_ENV, readClock } from '../compliance/clock.js';
import { readDeployment } from '../compliance/deployment.js';
import { toEvidence } from '../compliance/evidence.js';
import { collectComplianceFacts, DEFAULT_POLICIES, readComplianceInputs } from '../compliance/inputs.js';
import { approverSummary } from '../compliance/summary.js';
import { readGateInputs } from '../gate/gate-inputs.js';
import { prepareGate } from '../gate/prepare-gate.js';
import { publishOutcome, runIdentity } from '../gate/publish-outcome.js';
import { mergeFacts } from '../policy/facts.js';
import { decideGate } from '../policy/gate.js';
import { writeReportFile } from '../report/write-file.js';
import { runAction } from '../runner/run-action.js';
import { runContext } from '../runner/runner.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

// LGPD, ANVISA and CFM policies and the change window, judged before production asks for approval.
await runAction(async (runner) => {
  const ctx = runContext(runner.env);
  const input = (name: string) => runner.input(name);
  // Every input is checked, and every file read, before anything is written.
  const gateInputs = readGateInputs(input, ctx, {
    reportName: 'compliance-gate',
    policies: DEFAULT_POLICIES,
  });
  const inputs = readComplianceInputs(input, ctx);
  const clock = readClock(runner.env);
  const prepared = await prepareGate(gateInputs, ctx.workspace);
  const collected = await collectComplianceFacts(inputs, ctx.workspace, clock.now);
  const deployment = await readDeployment(ctx, runner.env);
  if (clock.source !== 'system') {
    runner.warning(
      `The clock is fixed by ${CLOCK_ENV}=${clock.now.toISOString()}: for tests and the local demo only.`,
    );
  }

  const outcome = await decideGate({
    ...prepared,
    facts: mergeFacts(collected.documents, clock.now),
    failOn: gateInputs.failOn,
    mode: gateInputs.mode,
    now: clock.now,
  });
  const evidence = toEvidence(outcome, {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    run: runIdentity(ctx),
    clock,
    deployment,
    manifest: { path: collected.manifest.display, sha256: collected.manifest.sha256 },
    factsFiles: collected.factsFiles,
    attestations: collected.attestations,
    changeWindow: collected.window,
    reportFile: gateInputs.reportFile,
  });
  await writeReportFile(inputs.evidenceFile, `${JSON.stringify(evidence, null, 2)}\n`);
  runner.setOutput('evidence', inputs.evidenceFile);
  await publishOutcome(
    runner,
    ctx,
    outcome,
    gateInputs,
    'Compliance gate',
    '',
    approverSummary({
      deployment,
      window: collected.window,
      evidencePath: inputs.evidenceFile,
      clockSource: clock.source,
    }),
  );
});
