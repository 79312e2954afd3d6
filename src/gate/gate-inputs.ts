import { join } from 'node:path';
import { InputError } from '../errors.js';
import { MODES, type Mode, SEVERITIES, type Severity } from '../policy/types.js';
import { type InputReader, parseEnum, parseList } from '../runner/inputs.js';
import { parseExistingPath, parseOutputPath } from '../runner/paths.js';
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
  const outputPath = (name: string) => {
    const value = input(name);
    return value ? parseOutputPath(name, value, ctx) : undefined;
  };
  return {
    policySpecs,
    waiversFile: waivers ? parseExistingPath('waivers', waivers, ctx.workspace, 'file') : undefined,
    failOn: parseEnum('fail-on', input('fail-on'), SEVERITIES, 'high'),
    mode: parseEnum('mode', input('mode'), MODES, 'enforce'),
    reportFile:
      outputPath('report-file') ??
      join(ctx.runnerTemp, 'deploy-gates', `${defaults.reportName}-${ctx.action}.json`),
    sarifFile: outputPath('sarif-file'),
    junitFile: outputPath('junit-file'),
  };
}
