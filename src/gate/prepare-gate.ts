import { relative } from 'node:path';
import { loadPolicies } from '../policy/load-policies.js';
import type { LoadedPolicy, Waiver } from '../policy/types.js';
import { readWaiversFile } from '../policy/waivers.js';
import type { GateInputs } from './gate-inputs.js';

export interface PreparedGate {
  policies: LoadedPolicy[];
  waivers: Waiver[];
}

/** Reads and checks every policy and the waivers: all bad input surfaces here, before anything is written. */
export async function prepareGate(inputs: GateInputs, workspace: string): Promise<PreparedGate> {
  const policies = await loadPolicies(inputs.policySpecs, workspace, 'policies');
  const waivers = inputs.waiversFile
    ? await readWaiversFile(
        inputs.waiversFile,
        relative(workspace, inputs.waiversFile) || inputs.waiversFile,
        'waivers',
      )
    : [];
  return { policies, waivers };
}
