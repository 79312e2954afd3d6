import { relative } from 'node:path';
import { InputError } from '../errors.js';
import { teamMembershipLookup } from '../github/team-membership.js';
import { loadPolicies } from '../policy/load-policies.js';
import type { ApproverCheck, LoadedPolicy, Policy, Rule, Waiver } from '../policy/types.js';
import { needsApproval } from '../policy/waiver-limits.js';
import { readWaiversFile } from '../policy/waivers.js';
import {
  type ApproverList,
  checkApprover,
  type MembershipLookup,
  parseApprover,
  readApprovers,
} from './approvers.js';
import type { GateInputs } from './gate-inputs.js';

export interface PreparedGate {
  policies: LoadedPolicy[];
  waivers: Waiver[];
  /** Approver checks of the waivers whose rules need an approver. */
  approvals: ReadonlyMap<Waiver, ApproverCheck>;
}

/** Reads and checks every policy and the waivers: all bad input surfaces here, before anything is written. */
export async function prepareGate(
  inputs: GateInputs,
  workspace: string,
  apiUrl: string,
): Promise<PreparedGate> {
  const policies = await loadPolicies(inputs.policySpecs, workspace, 'policies');
  const waivers = inputs.waiversFile
    ? await readWaiversFile(
        inputs.waiversFile,
        relative(workspace, inputs.waiversFile) || inputs.waiversFile,
        'waivers',
      )
    : [];
  const approvals = await checkApprovers(inputs, policies, waivers, apiUrl);
  return { policies, waivers, approvals };
}

/**
 * Who approved each waiver of a rule that needs an approver. The approvers file is read whenever it is
 * named (so a broken one is reported even before a waiver needs it); team memberships only for
 * approvers the file does not list by name.
 */
async function checkApprovers(
  inputs: GateInputs,
  policies: LoadedPolicy[],
  waivers: Waiver[],
  apiUrl: string,
): Promise<Map<Waiver, ApproverCheck>> {
  const list: ApproverList | string =
    'file' in inputs.approvers
      ? await readApprovers(inputs.approvers.file, inputs.approvers.display, 'waiver-approvers')
      : inputs.approvers.missing;
  const owners = new Map<string, { rule: Rule; policy: Policy }>();
  for (const { policy } of policies) for (const rule of policy.rules) owners.set(rule.id, { rule, policy });
  const needing = waivers.filter((w) => {
    const owner = owners.get(w.rule);
    return owner !== undefined && needsApproval(owner.rule, owner.policy);
  });
  let lookup: MembershipLookup | undefined;
  if (typeof list !== 'string' && list.teams.length > 0) {
    const unlisted = needing.find((w) => {
      const who = parseApprover(w.approver);
      return 'login' in who && !list.logins.has(who.login);
    });
    if (unlisted && !inputs.approversToken) {
      throw new InputError(
        'waiver-approvers-token',
        `is required: ${list.display} lists teams, and the waiver for ${unlisted.rule} (approver ${unlisted.approver}) is approved only if ${unlisted.approver} is a member of one`,
        "Set waiver-approvers-token to a token that can read the organization's team memberships, or list the approver by name.",
      );
    }
    if (unlisted && inputs.approversToken) {
      lookup = await teamMembershipLookup(inputs.approversToken, apiUrl, 'waiver-approvers-token');
    }
  }
  const checks = new Map<Waiver, ApproverCheck>();
  for (const waiver of needing) checks.set(waiver, await checkApprover(waiver.approver, list, lookup));
  return checks;
}
