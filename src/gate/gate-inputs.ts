import { join } from 'node:path';
import { InputError } from '../errors.js';
import { MODES, type Mode, SEVERITIES, type Severity } from '../policy/types.js';
import { type InputReader, parseEnum, parseList, resolvePath } from '../runner/inputs.js';
import type { RunContext } from '../runner/runner.js';

/** The inputs every gating action shares with the root policy gate. */
export interface GateInputs {
  policySpecs: string[];
  waiversFile: string | undefined;
  failOn: Severity;
  mode: Mode;
  reportFile: string;
  sarifFile: string | undefined;
  junitFile: string | undefined;
}

export function readGateInputs(
  input: InputReader,
  ctx: RunContext,
  defaults: { policies?: string; reportName: string },
): GateInputs {
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
  const optionalPath = (name: string) => {
    const value = input(name);
    return value ? resolvePath(ctx.workspace, value) : undefined;
  };
  return {
    policySpecs,
    waiversFile: waivers ? resolvePath(ctx.workspace, waivers) : undefined,
    failOn: parseEnum('fail-on', input('fail-on'), SEVERITIES, 'high'),
    mode: parseEnum('mode', input('mode'), MODES, 'enforce'),
    reportFile:
      optionalPath('report-file') ??
      join(ctx.runnerTemp, 'deploy-gates', `${defaults.reportName}-${ctx.action}.json`),
    sarifFile: optionalPath('sarif-file'),
    junitFile: optionalPath('junit-file'),
  };
}
