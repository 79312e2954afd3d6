/**
 * Throwaway "bundles" for the harness's own tests: plain .mjs files in a temp dir, laid out like a
 * real action (`<dir>/action.yml`, `<dir>/dist/index.mjs`).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../../sandbox/runner/run-bundle.js';

export function makeAction(script: string, actionYml: string): { dir: string; bundle: string } {
  const dir = mkdtempSync(join(tmpdir(), 'harness-fixture-'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'action.yml'), actionYml);
  const bundle = join(dir, 'dist', 'index.mjs');
  writeFileSync(bundle, script);
  return { dir, bundle };
}

export const FIXTURE_ACTION_YML = `name: harness fixture
description: speaks the runner protocol by hand
inputs:
  fail-on:
    description: dashes must survive the runner's name mangling
    default: high
  mode:
    default: main
  token:
    default: \${{ github.token }}
  repo:
    default: 'repo=\${{ github.repository }}'
  other:
    default: \${{ secrets.OTHER }}
  version:
    default: 1.0
  no default:
    description: declared without a default, so never set unless given
  old-input:
    deprecationMessage: use fail-on
  exit-code:
    required: false
outputs:
  saw-state: { description: the post step's view of the main step's state }
  multi: { description: a multi-line value }
  plain: { description: a value with an equals sign }
  empty: { description: an empty value }
  inputs: { description: the INPUT_ variables the step saw }
  env-keys: { description: the names of the variables the step saw }
  runner: { description: the runner files the step saw }
runs:
  using: node24
  main: dist/index.mjs
`;

/** Uses the runner protocol by hand, so the harness is checked against the protocol, not the toolkit. */
export const PROTOCOL_SCRIPT = `
import { appendFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const env = process.env;
const output = (name, value) => {
  const d = 'ghadelimiter_' + randomUUID();
  appendFileSync(env.GITHUB_OUTPUT, name + '<<' + d + '\\n' + value + '\\n' + d + '\\n');
};
const mode = env.INPUT_MODE;

console.log('node ' + process.version);
if (mode === 'hang') {
  const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(join(env.RUNNER_TEMP, 'grandchild.pid'), String(grandchild.pid));
  console.log('hanging');
  setInterval(() => {}, 1000);
} else if (mode === 'leak') {
  console.log('::add-mask::' + env.INPUT_SECRET);
  console.log('::add-mask::only-masked-value');
  console.log('connecting with ' + env.INPUT_SECRET);
  mkdirSync(join(env.RUNNER_TEMP, 'reports'));
  writeFileSync(join(env.RUNNER_TEMP, 'reports', 'out.json'), JSON.stringify({ token: env.INPUT_SECRET }));
  appendFileSync(env.GITHUB_STEP_SUMMARY, 'db: postgresql://app:' + encodeURIComponent(env.INPUT_PASSWORD) + '@db/app\\n');
} else if (mode === 'post') {
  output('saw-state', env.STATE_started ?? '<unset>');
} else {
  output('multi', 'line one\\nline two\\n  indented=with<<marks');
  appendFileSync(env.GITHUB_OUTPUT, 'plain=a=b\\n');
  output('empty', '');
  output('inputs', JSON.stringify(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('INPUT_')))));
  output('env-keys', JSON.stringify(Object.keys(env).sort()));
  output('runner', JSON.stringify({
    cwd: process.cwd(),
    execPath: process.execPath,
    event: JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')),
    env: Object.fromEntries(Object.entries(env).filter(([k]) => /^(GITHUB|RUNNER)_|^CI$/.test(k))),
  }));
  console.log('::error file=a.json,line=3::msg%0Anext');
  console.log('::warning title=Disk%3A full%2C really,file=src/x.ts,line=1,endLine=2,col=4,endColumn=9::100%25 used');
  console.log('::notice::plain notice');
  console.log('::add-mask::s3cr3t-value');
  console.log('::debug::debugging %25');
  console.log('::group::Details');
  console.log('inside group');
  console.log('::endgroup::');
  console.log('after group');
  appendFileSync(env.GITHUB_STEP_SUMMARY, '# Gate\\n\\n| rule | result |\\n');
  appendFileSync(env.GITHUB_STATE, 'started=yes\\n');
  appendFileSync(env.GITHUB_ENV, 'EXPORTED=1\\n');
  appendFileSync(env.GITHUB_PATH, '/opt/tool/bin\\n');
  process.stderr.write('to stderr\\n');
  if (env['INPUT_EXIT-CODE']) process.exitCode = Number(env['INPUT_EXIT-CODE']);
}
`;

/** A bundle-like script on the real @actions/core 3, to prove the harness reads what the toolkit writes. */
export function toolkitScript(): string {
  const core = pathToFileURL(join(REPO_ROOT, 'node_modules', '@actions', 'core', 'lib', 'core.js')).href;
  return `
import * as core from ${JSON.stringify(core)};

if (core.getState('phase')) {
  core.setOutput('post-saw', core.getState('phase'));
} else {
  core.setSecret('hunter2-secret');
  core.setOutput('fail-on', core.getInput('fail-on'));
  core.setOutput('report', 'line1\\nline2');
  core.error('bad rule\\nsecond line', { file: 'policies/x.json', startLine: 3, endLine: 4, title: 'Rule: a, b' });
  core.warning('100% sure');
  core.notice('fyi');
  core.saveState('phase', 'main');
  core.exportVariable('GATE_RESULT', 'multi\\nline');
  core.addPath('/opt/gate/bin');
  core.startGroup('evaluation');
  core.info('rule x passed');
  core.endGroup();
  await core.summary.addHeading('Gate').addRaw('all good').write();
  core.debug('dbg');
  core.setFailed('gate failed');
}
`;
}

export const TOOLKIT_ACTION_YML = `name: toolkit fixture
inputs:
  fail-on:
    default: critical
outputs:
  fail-on: { description: the input as the toolkit read it }
  report: { description: a multi-line value }
  post-saw: { description: the main step's state as the post step read it }
runs:
  using: node24
  main: dist/index.mjs
`;
