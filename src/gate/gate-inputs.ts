import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import { MODES, type Mode, SEVERITIES, type Severity } from '../policy/types.js';
import { type InputReader, parseEnum, parseList, parseSecretToken } from '../runner/inputs.js';
import { parseExistingPath, parseOutputPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import { DEFAULT_APPROVERS_FILE } from './approvers.js';

/** The inputs every gating action shares with the root policy gate. */
export interface GateInputs {
  policySpecs: string[];
  waiversFile: string | undefined;
  /** The approvers file: the one `waiver-approvers` names, else the default path when it exists. */
  approvers: { file: string; display: string } | { missing: string };
  /** Reads team memberships for `@org/team` lines of the approvers file. */
  approversToken: string | undefined;
  failOn: Severity;
  mode: Mode;
  reportFile: string;
  sarifFile: string | undefined;
  junitFile: string | undefined;
}

function readApproversInput(input: InputReader, workspace: string): GateInputs['approvers'] {
  const raw = input('waiver-approvers').trim();
  if (raw) {
    const file = parseExistingPath('waiver-approvers', raw, workspace, 'file');
    return { file, display: relative(workspace, file) || raw };
  }
  const file = join(workspace, DEFAULT_APPROVERS_FILE);
  // A folder of that name lists no one: like no file, nobody may waive the rules that need an approver.
  return statSync(file, { throwIfNoEntry: false })?.isFile()
    ? { file, display: DEFAULT_APPROVERS_FILE }
    : {
        missing: `no approvers file (${DEFAULT_APPROVERS_FILE} does not exist and waiver-approvers is not set)`,
      };
}

/** The approvers token is a declared secret: runAction masked it before the action started. */
export function readGateInputs(
  input: InputReader,
  ctx: RunContext,
  defaults: { policies?: string; reportName: string },
): GateInputs {
  const rawToken = input('waiver-approvers-token');
  const rawPolicies = input('policies') || defaults.policies || '';
  const policySpecs = parseList(rawPolicies);
  if (policySpecs.length === 0) {
    throw new InputError(
      'policies',
      'is required but empty',
      'List policy files, globs or builtin names, one per line (e.g. builtin:preflight).',
    );
  }
  const waivers = input('waivers');
  const outputPath = (name: string) => {
    const value = input(name);
    return value ? parseOutputPath(name, value, ctx) : undefined;
  };
  return {
    policySpecs,
    waiversFile: waivers ? parseExistingPath('waivers', waivers, ctx.workspace, 'file') : undefined,
    approvers: readApproversInput(input, ctx.workspace),
    approversToken: rawToken ? parseSecretToken('waiver-approvers-token', rawToken) : undefined,
    failOn: parseEnum('fail-on', input('fail-on'), SEVERITIES, 'high'),
    mode: parseEnum('mode', input('mode'), MODES, 'enforce'),
    reportFile:
      outputPath('report-file') ??
      join(ctx.runnerTemp, 'deploy-gates', `${defaults.reportName}-${ctx.action}.json`),
    sarifFile: outputPath('sarif-file'),
    junitFile: outputPath('junit-file'),
  };
}
