import { runIdentity } from '../gate/publish-outcome.js';
import type { CollectedFacts, GateAction } from '../gate/run-gate.js';
import { mergeFacts } from '../policy/facts.js';
import { writeReportFile } from '../report/write-file.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { CLOCK_ENV, type Clock, readClock } from './clock.js';
import { type Deployment, readDeployment } from './deployment.js';
import { toEvidence } from './evidence.js';
import {
  type ComplianceFacts,
  type ComplianceInputs,
  collectComplianceFacts,
  DEFAULT_POLICIES,
  readComplianceInputs,
} from './inputs.js';
import { approverSummary } from './summary.js';

interface Collected extends CollectedFacts {
  collected: ComplianceFacts;
  deployment: Deployment;
}

/** LGPD, ANVISA and CFM policies and the change window, judged before production asks for approval. */
export const complianceGate: GateAction<{ inputs: ComplianceInputs; clock: Clock }, Collected> = {
  title: 'Compliance gate',
  reportName: 'compliance-gate',
  policies: DEFAULT_POLICIES,
  readInputs: ({ input, ctx, runner }) => ({
    inputs: readComplianceInputs(input, ctx),
    clock: readClock(runner.env),
  }),
  collect: async ({ ctx, runner }, { inputs, clock }) => {
    const collected = await collectComplianceFacts(inputs, ctx.workspace, clock.now);
    const deployment = await readDeployment(ctx, runner.env);
    if (clock.source !== 'system') {
      runner.warning(
        `The clock is fixed by ${CLOCK_ENV}=${clock.now.toISOString()}: for tests and the local demo only.`,
      );
    }
    return { facts: mergeFacts(collected.documents, clock.now), now: clock.now, collected, deployment };
  },
  decided: async ({ ctx, runner, gate }, outcome, { collected, deployment }, { inputs, clock }) => {
    const evidence = toEvidence(outcome, {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      run: runIdentity(ctx),
      clock,
      deployment,
      manifest: { path: collected.manifest.display, sha256: collected.manifest.sha256 },
      factsFiles: collected.factsFiles,
      attestations: collected.attestations,
      changeWindow: collected.window,
      reportFile: gate.reportFile,
    });
    await writeReportFile(inputs.evidenceFile, `${JSON.stringify(evidence, null, 2)}\n`);
    runner.setOutput('evidence', inputs.evidenceFile);
    return {
      render: approverSummary({
        deployment,
        window: collected.window,
        evidencePath: inputs.evidenceFile,
        clockSource: clock.source,
      }),
    };
  },
};
