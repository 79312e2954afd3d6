import { relative } from 'node:path';
import { readApprovalInputs } from '../approval/inputs.js';
import { readSignOff } from '../approval/sign-off.js';
import { complianceGate } from '../compliance/action.js';
import { readManifest } from '../compliance/manifest.js';
import { readGateInputs } from '../gate/gate-inputs.js';
import type { GateAction } from '../gate/run-gate.js';
import { readInfraInputs } from '../infra/inputs.js';
import { readMigrateInputs } from '../migrate/inputs.js';
import { readNotifyInputs } from '../notify/inputs.js';
import { readWaiversFile } from '../policy/waivers.js';
import { readRollbackStart } from '../rollback/action.js';
import type { InputReader } from '../runner/inputs.js';
import type { RunContext, Runner } from '../runner/runner.js';
import { postValidateGate } from '../validate/action.js';
import { readDeployInputs } from '../vercel/inputs.js';

/** What a reader gets: the step's inputs as the runner would hand them over, and the plan job's context. */
export interface ReadStep {
  runner: Runner;
  input: InputReader;
  ctx: RunContext;
}

const ignore = () => {};

/**
 * A gating action's start: the shared gate inputs, the waivers file read and checked as prepareGate reads
 * it, then the action's own readInputs.
 */
async function readGate<I>(
  gate: Pick<GateAction<I, never>, 'reportName' | 'policies'> &
    Partial<Pick<GateAction<I, never>, 'readInputs'>>,
  { runner, input, ctx }: ReadStep,
): Promise<I | undefined> {
  const gateInputs = readGateInputs(input, ctx, gate);
  if (gateInputs.waiversFile)
    await readWaiversFile(gateInputs.waiversFile, relative(ctx.workspace, gateInputs.waiversFile), 'waivers');
  return gate.readInputs ? await gate.readInputs({ runner, input, ctx, gate: gateInputs }) : undefined;
}

/**
 * What each action runs at its start to read and check its inputs and the files they name, before it
 * changes anything: plan runs the same code on the values the workflow will give it. preflight-check is
 * not read here: it runs before the approval and stops the run itself.
 */
export const START_READERS: Record<string, (step: ReadStep) => Promise<unknown>> = {
  'approval-check': async ({ input, ctx }) => {
    const read = readApprovalInputs(input, ctx);
    if (read.signOffFile) await readSignOff(read.signOffFile, ctx.workspace);
  },
  'compliance-gate': async (step) => {
    const read = await readGate(complianceGate, step);
    if (read)
      await readManifest(
        read.inputs.manifestPath,
        relative(step.ctx.workspace, read.inputs.manifestPath),
        'manifest',
      );
  },
  // Its gate's readInputs also proves backup-identity matches backup-recipients, which needs the secret
  // itself: plan, seeing only that it is set, reads the inputs as that readInputs does and stops there.
  'db-migrate-backup': async (step) => {
    await readGate({ reportName: 'db-migrate', policies: 'builtin:db-migrate' }, step);
    readMigrateInputs(step.input, step.ctx, ignore);
  },
  // The manifests (in the commit, Kubernetes objects), the workloads to undo, the namespace, and a
  // kubeconfig secret set whenever kubectl will run.
  'infra-change': async ({ input, ctx }) => readInfraInputs(input, ignore, ctx.workspace),
  // The channels file, its templates and each listed channel's secrets: a notification that could not
  // go out for a reason known now is found before the approval.
  notify: ({ input, ctx }) => readNotifyInputs(input, ctx),
  'post-validate': (step) => readGate(postValidateGate, step),
  'vercel-deploy': async ({ input, ctx }) => readDeployInputs(input, ctx, ignore),
  rollback: ({ input, ctx }) => readRollbackStart(input, ignore, ctx.workspace),
};

/**
 * Inputs that name something on the later job's runner, not on plan's: checked by the action's reader
 * with a folder of plan's RUNNER_TEMP in their place (and as one line).
 */
export const ELSEWHERE: Record<string, readonly string[]> = {
  'db-migrate-backup': ['backup-path'],
};
