import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage, InputError } from '../errors.js';
import { mergeFacts, readFactsFile } from '../policy/facts.js';
import { decideGate } from '../policy/gate.js';
import { builtinNames, loadPolicies } from '../policy/load-policies.js';
import { findPolicyTests, runPolicyTestFile } from '../policy/policy-tests.js';
import { RuleCompiler } from '../policy/rule-compiler.js';
import { MODES, SEVERITIES } from '../policy/types.js';
import { readWaiversFile } from '../policy/waivers.js';
import { toJsonReport } from '../report/json-report.js';
import { toJUnit } from '../report/junit.js';
import { toSarif } from '../report/sarif.js';
import { toSummaryMarkdown } from '../report/summary.js';
import { parseEnum, parseList } from '../runner/inputs.js';
import { TOOL_NAME, TOOL_URI, TOOL_VERSION } from '../version.js';

const USAGE = `Usage:
  deploy-gates policy test [FILE|DIR ...]     run policy tests (*.test.json); default: the current folder
  deploy-gates policy eval --policies P --facts F [--waivers W] [--fail-on high] [--mode enforce]
                           [--format text|json|sarif|junit|markdown] [--now 2026-01-01T00:00:00Z]
  deploy-gates policy list                     list the builtin policies
  deploy-gates rehearse <caller.yml> [--approve] [--report FILE]
                           run your caller workflow on a local sandbox with your repository's checkout
Exit codes: 0 pass, 1 a gate or a test failed, 2 bad usage or input.`;

type Out = (line: string) => void;

async function policyTest(paths: string[], cwd: string, out: Out): Promise<number> {
  const targets = paths.length > 0 ? paths.map((p) => resolve(cwd, p)) : [cwd];
  const files = targets.flatMap((t) => (statSync(t).isDirectory() ? findPolicyTests(t) : [t]));
  if (files.length === 0)
    throw new InputError(
      'tests',
      `no *.test.json files under ${targets.join(', ')}`,
      'Write policy tests next to the policies.',
    );
  const compiler = new RuleCompiler();
  let failed = 0;
  let passed = 0;
  for (const file of files) {
    const report = await runPolicyTestFile(file, cwd, compiler);
    out(`${report.file} (${report.policyId})`);
    for (const c of report.cases) {
      out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}`);
      for (const m of c.mismatches)
        out(`         ${m.rule}: expected ${m.expected}, got ${m.actual} — ${m.message}`);
      if (c.ok) passed += 1;
      else failed += 1;
    }
    for (const u of report.untested)
      out(`  note: rule ${u.rule} has no case expecting ${u.missing.join(' or ')}`);
  }
  out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

async function policyEval(args: string[], cwd: string, out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      policies: { type: 'string', multiple: true },
      facts: { type: 'string', multiple: true },
      waivers: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      mode: { type: 'string', default: 'enforce' },
      format: { type: 'string', default: 'text' },
      now: { type: 'string' },
    },
  });
  const policies = await loadPolicies((values.policies ?? []).flatMap(parseList), cwd, 'policies');
  const factPaths = (values.facts ?? []).flatMap(parseList);
  if (factPaths.length === 0)
    throw new InputError('facts', 'is required', 'Pass --facts with one or more facts files.');
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime()))
    throw new InputError('now', `"${values.now}" is not a date`, 'Pass --now as ISO-8601 UTC.');
  const documents = await Promise.all(
    factPaths.map((p) => readFactsFile(resolve(cwd, p), relative(cwd, resolve(cwd, p)), 'facts')),
  );
  const facts = mergeFacts(documents, now);
  const waivers = values.waivers
    ? await readWaiversFile(resolve(cwd, values.waivers), values.waivers, 'waivers')
    : [];
  const failOn = parseEnum('fail-on', values['fail-on'] ?? '', SEVERITIES, 'high');
  const mode = parseEnum('mode', values.mode ?? '', MODES, 'enforce');
  const format = parseEnum(
    'format',
    values.format ?? '',
    ['text', 'json', 'sarif', 'junit', 'markdown'] as const,
    'text',
  );
  const outcome = await decideGate({ policies, facts, waivers, failOn, mode, now });

  if (format === 'json')
    out(JSON.stringify(toJsonReport(outcome, { tool: { name: TOOL_NAME, version: TOOL_VERSION } }), null, 2));
  else if (format === 'sarif')
    out(JSON.stringify(toSarif(outcome, { toolVersion: TOOL_VERSION, informationUri: TOOL_URI }), null, 2));
  else if (format === 'junit') out(toJUnit(outcome));
  else if (format === 'markdown') out(toSummaryMarkdown(outcome, { title: 'Policy gate' }));
  else {
    for (const r of outcome.results)
      out(`${r.status.toUpperCase().padEnd(6)} ${r.severity.padEnd(8)} ${r.ruleId}  ${r.message}`);
    const c = outcome.counts;
    out(
      `decision: ${outcome.decision} (${c.passed} passed, ${c.failed} failed, ${c.waived} waived; fail-on ${failOn}, mode ${mode})`,
    );
  }
  return outcome.decision === 'fail' && mode === 'enforce' ? 1 : 0;
}

export async function main(
  argv: string[],
  cwd = process.cwd(),
  out: Out = (l) => process.stdout.write(`${l}\n`),
  err: Out = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === 'policy' && command === 'test') return await policyTest(rest, cwd, out);
    if (group === 'policy' && command === 'eval') return await policyEval(rest, cwd, out);
    if (group === 'policy' && command === 'list') {
      for (const name of builtinNames()) out(`builtin:${name}`);
      return 0;
    }
    // Loaded only here: the sandbox (emulators, workflow runner) is most of the bundle, and policy
    // commands should not pay for it at start-up.
    if (group === 'rehearse') {
      const { rehearseCommand } = await import('../../sandbox/rehearse-command.js');
      return await rehearseCommand(argv.slice(1), { cwd, out, err });
    }
    if (group === '--version') {
      out(TOOL_VERSION);
      return 0;
    }
    err(USAGE);
    return 2;
  } catch (e) {
    err(`error: ${errorMessage(e)}`);
    return 2;
  }
}
