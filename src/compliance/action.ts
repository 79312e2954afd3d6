import type { CollectedFacts, GateAction } from '../gate/run-gate.js';
import { runIdentity } from '../gate/run-identity.js';
import { mergeFacts } from '../policy/facts.js';
import { writeReportFile } from '../report/write-file.js';
import { sha256 } from '../util/hash.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { CLOCK_INPUT, type Clock, clockFacts, readClock } from './clock.js';
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

/** Judges the clock itself: an override fails the gate unless waived, whatever `policies` lists. */
const CLOCK_POLICY = 'builtin:compliance/clock';

/** LGPD, ANVISA and CFM policies and the change window, judged before production asks for approval. */
export const complianceGate: GateAction<{ inputs: ComplianceInputs; clock: Clock }, Collected> = {
  title: 'Compliance gate',
  reportName: 'compliance-gate',
  policies: DEFAULT_POLICIES,
  requiredPolicies: [CLOCK_POLICY],
  readInputs: ({ input, ctx }) => ({
    inputs: readComplianceInputs(input, ctx),
    clock: readClock(input('clock-override')),
  }),
  collect: async ({ ctx, runner }, { inputs, clock }) => {
    const collected = await collectComplianceFacts(inputs, ctx.workspace, clock.now);
    const deployment = await readDeployment(ctx, runner.env);
    if (clock.source !== 'system') {
      runner.warning(
        `The clock is fixed by ${CLOCK_INPUT}=${clock.now.toISOString()} (the runner's clock says ${clock.system.toISOString()}): for the sandbox and demos only; compliance.clock-not-overridden fails unless waived.`,
      );
    }
    const facts = mergeFacts([...collected.documents, clockFacts(clock)], clock.now);
    return { facts, now: clock.now, collected, deployment };
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
    const written = `${JSON.stringify(evidence, null, 2)}\n`;
    await writeReportFile(inputs.evidenceFile, written);
    runner.setOutput('evidence', inputs.evidenceFile);
    return {
      render: approverSummary({
        deployment,
        window: collected.window,
        evidencePath: inputs.evidenceFile,
        evidenceSha256: sha256(written),
        clock,
      }),
    };
  },
};
