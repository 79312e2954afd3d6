import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { evaluateDefault, inputEnvName, readActionMetadata } from '../../sandbox/runner/action-metadata.js';
import { expressionContext, RUN_DEFAULTS } from '../../sandbox/runner/run-bundle.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The committed bundle of an action folder ('.' for the root action), as its action.yml's runs.main names it. */
export function bundleOf(actionDir: string): { bundle: string; actionYml: string } {
  const actionYml = join(ROOT, actionDir, 'action.yml');
  const { runs } = parse(readFileSync(actionYml, 'utf8')) as { runs: { main: string } };
  return { bundle: join(ROOT, actionDir, runs.main), actionYml };
}

/**
 * The environment the runner gives a step of `actionDir`, as sandbox/runner/run-bundle.ts builds it (the
 * runner's variables, fresh file-command files, the event file, the given inputs and action.yml's
 * defaults for the rest), prepared before the clock starts so that a timing is the process alone. Call it
 * once per run: the file commands are new files every time.
 */
export function actionEnv(
  actionDir: string,
  workspace: string,
  inputs: Record<string, string>,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'dg-bench-runner-'));
  const commands = join(runnerTemp, '_runner_file_commands');
  mkdirSync(commands, { recursive: true });
  mkdirSync(join(runnerTemp, '_github_workflow'));
  const files = {
    GITHUB_OUTPUT: join(commands, 'set_output'),
    GITHUB_STATE: join(commands, 'save_state'),
    GITHUB_ENV: join(commands, 'set_env'),
    GITHUB_PATH: join(commands, 'add_path'),
    GITHUB_STEP_SUMMARY: join(commands, 'step_summary'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const eventPath = join(runnerTemp, '_github_workflow', 'event.json');
  writeFileSync(eventPath, JSON.stringify({ ref: RUN_DEFAULTS.ref, after: RUN_DEFAULTS.sha }));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    ...files,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_EVENT_NAME: RUN_DEFAULTS.eventName,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_RUN_ID: RUN_DEFAULTS.runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_REPOSITORY: RUN_DEFAULTS.repository,
    GITHUB_REPOSITORY_OWNER: RUN_DEFAULTS.repository.split('/')[0] ?? '',
    GITHUB_SHA: RUN_DEFAULTS.sha,
    GITHUB_REF: RUN_DEFAULTS.ref,
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_ACTOR: RUN_DEFAULTS.actor,
    GITHUB_TRIGGERING_ACTOR: RUN_DEFAULTS.actor,
    GITHUB_WORKFLOW: RUN_DEFAULTS.workflow,
    GITHUB_JOB: RUN_DEFAULTS.job,
    GITHUB_ACTION: RUN_DEFAULTS.stepId,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    ...extra,
  };
  const context = expressionContext(env);
  const { actionYml } = bundleOf(actionDir);
  const metadata = readActionMetadata(actionYml);
  const given = new Set(Object.keys(inputs).map(inputEnvName));
  for (const name of given)
    if (!metadata.inputs.some((i) => inputEnvName(i.name) === name))
      throw new Error(`${actionDir}/action.yml declares no input ${name}`);
  for (const spec of metadata.inputs)
    if (!given.has(inputEnvName(spec.name)) && spec.default !== undefined)
      env[inputEnvName(spec.name)] = evaluateDefault(spec.default, context).value;
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  return env;
}
