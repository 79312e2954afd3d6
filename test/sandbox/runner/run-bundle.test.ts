import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ActionRun,
  ActionTimeoutError,
  findSecretLeaks,
  leakedSecrets,
  parseFileCommands,
  parseWorkflowCommands,
  REPO_ROOT,
  RUN_DEFAULTS,
  runBundle,
} from '../../../sandbox/runner/run-bundle.js';
import {
  FIXTURE_ACTION_YML,
  makeAction,
  PROTOCOL_SCRIPT,
  TOOLKIT_ACTION_YML,
  toolkitScript,
} from './fixtures.js';

// biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template.
const SECRETS_EXPRESSION = '${{ secrets.OTHER }}';

const fixtures: string[] = [];
const runs: ActionRun[] = [];
function fixture(script: string, yml: string): string {
  const { dir, bundle } = makeAction(script, yml);
  fixtures.push(dir);
  return bundle;
}
async function run(...args: Parameters<typeof runBundle>): Promise<ActionRun> {
  const result = await runBundle(...args);
  runs.push(result);
  return result;
}
afterAll(async () => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
  await Promise.all(runs.map((r) => r.cleanup()));
});

/** False for a process that is gone or a zombie (a container's PID 1 may never reap it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('runBundle with a bundle that speaks the runner protocol by hand', () => {
  let bundle: string;
  let result: ActionRun;
  const leakVars = ['INPUT_LEAK', 'GITHUB_REPOSITORY', 'NODE_OPTIONS_LEAK_CHECK'] as const;
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    bundle = fixture(PROTOCOL_SCRIPT, FIXTURE_ACTION_YML);
    for (const name of leakVars) saved.set(name, process.env[name]);
    process.env.INPUT_LEAK = 'from-the-test-process';
    process.env.GITHUB_REPOSITORY = 'evil/leaked';
    process.env.NODE_OPTIONS_LEAK_CHECK = 'x';
    try {
      result = await run({
        action: bundle,
        inputs: { 'fail-on': 'medium', 'old-input': 'x', 'no such input': true },
        env: { GITHUB_TOKEN: 'ghs_testtoken', EXTRA: 'yes' },
        runId: 123,
        runAttempt: 2,
      });
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  const json = (name: string): Record<string, unknown> => JSON.parse(result.outputs[name] ?? 'null');

  it('runs the bundle on the repository Node 24, in the workspace', () => {
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.log[0]).toMatch(/^node v24\./);
    const runner = json('runner');
    expect(runner.execPath).toBe(join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node'));
    expect(runner.cwd).toBe(result.workspace);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('sets INPUT_ names as the runner does: upper case, spaces to underscores, dashes kept', () => {
    const inputs = json('inputs');
    expect(inputs['INPUT_FAIL-ON']).toBe('medium');
    expect(inputs.INPUT_NO_SUCH_INPUT).toBe('true');
    expect(inputs).not.toHaveProperty('INPUT_FAIL_ON');
    expect(result.inputs).toEqual(inputs);
  });

  it('fills action.yml defaults for inputs not given, and only those that have one', () => {
    const inputs = json('inputs');
    expect(inputs.INPUT_MODE).toBe('main');
    expect(inputs.INPUT_VERSION).toBe('1.0');
    expect(inputs.INPUT_TOKEN).toBe('ghs_testtoken');
    expect(inputs.INPUT_REPO).toBe(`repo=${RUN_DEFAULTS.repository}`);
    expect(inputs.INPUT_OTHER).toBe(SECRETS_EXPRESSION);
    expect(inputs).not.toHaveProperty('INPUT_NO_DEFAULT');
    expect(inputs).not.toHaveProperty('INPUT_EXIT-CODE');
  });

  it('reports what the runner would warn about', () => {
    expect(result.runnerWarnings).toEqual([
      expect.stringMatching(/^Unexpected input\(s\) 'no such input', valid inputs are \['fail-on', 'mode'/),
      expect.stringContaining(`Input 'other': default ${SECRETS_EXPRESSION} was passed unevaluated`),
      "Input 'old-input' has been deprecated with message: use fail-on",
    ]);
  });

  it('gives the child a clean environment: nothing from the test process but PATH, HOME, LANG, TZ', () => {
    const keys = json('env-keys') as unknown as string[];
    expect(keys).not.toContain('INPUT_LEAK');
    expect(keys).not.toContain('NODE_OPTIONS_LEAK_CHECK');
    expect(keys).not.toContain('VITEST');
    const foreign = keys.filter(
      (k) =>
        !/^(GITHUB_|RUNNER_|INPUT_)/.test(k) && !['CI', 'PATH', 'HOME', 'LANG', 'TZ', 'EXTRA'].includes(k),
    );
    expect(foreign).toEqual([]);
    expect(json('runner').env).toMatchObject({ GITHUB_REPOSITORY: RUN_DEFAULTS.repository, CI: 'true' });
  });

  it("sets the runner's variables and files", () => {
    const env = json('runner').env as Record<string, string>;
    expect(env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKSPACE: result.workspace,
      RUNNER_TEMP: result.runnerTemp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      GITHUB_RUN_ID: '123',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_REPOSITORY_OWNER: 'neonpro',
      GITHUB_SHA: RUN_DEFAULTS.sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
    });
    expect(env.GITHUB_SHA).toMatch(/^[0-9a-f]{40}$/);
    for (const name of ['GITHUB_ACTOR', 'GITHUB_WORKFLOW', 'GITHUB_JOB', 'GITHUB_ACTION'])
      expect(env[name]).toBeTruthy();
    for (const name of [
      'GITHUB_OUTPUT',
      'GITHUB_STATE',
      'GITHUB_ENV',
      'GITHUB_PATH',
      'GITHUB_STEP_SUMMARY',
    ]) {
      expect(env[name]?.startsWith(join(result.runnerTemp, '_runner_file_commands'))).toBe(true);
    }
    expect(json('runner').event).toMatchObject({
      ref: 'refs/heads/main',
      after: RUN_DEFAULTS.sha,
      repository: { full_name: RUN_DEFAULTS.repository },
    });
  });

  it('parses GITHUB_OUTPUT heredocs and name=value lines', () => {
    expect(result.outputs.multi).toBe('line one\nline two\n  indented=with<<marks');
    expect(result.outputs.plain).toBe('a=b');
    expect(result.outputs.empty).toBe('');
  });

  it('parses state, env, path and the summary', () => {
    expect(result.state).toEqual({ started: 'yes' });
    expect(result.env).toEqual({ EXPORTED: '1' });
    expect(result.path).toEqual(['/opt/tool/bin']);
    expect(result.summary).toBe('# Gate\n\n| rule | result |\n');
  });

  it('unescapes annotations, masks and debug lines', () => {
    expect(result.annotations).toEqual([
      {
        level: 'error',
        message: 'msg\nnext',
        file: 'a.json',
        line: 3,
        properties: { file: 'a.json', line: '3' },
      },
      {
        level: 'warning',
        message: '100% used',
        title: 'Disk: full, really',
        file: 'src/x.ts',
        line: 1,
        endLine: 2,
        col: 4,
        endColumn: 9,
        properties: expect.objectContaining({ title: 'Disk: full, really' }),
      },
      { level: 'notice', message: 'plain notice', properties: {} },
    ]);
    expect(result.masks).toEqual(['s3cr3t-value']);
    expect(result.debug).toEqual(['debugging %']);
  });

  it('keeps plain lines in the log and tracks groups', () => {
    expect(result.log).toEqual([expect.stringMatching(/^node v24/), 'inside group', 'after group']);
    expect(result.groups).toEqual([{ name: 'Details', lines: ['inside group'] }]);
    expect(result.stderr).toBe('to stderr\n');
  });

  it('passes STATE_* to a post step', async () => {
    const post = await run({ action: bundle, inputs: { mode: 'post' }, state: result.state });
    expect(post.outputs['saw-state']).toBe('yes');
  });

  it('reports a failing exit code', async () => {
    const failed = await run({ action: bundle, inputs: { 'exit-code': 3 } });
    expect(failed.exitCode).toBe(3);
  });

  it('accepts a bundle path relative to the repository root', async () => {
    await expect(runBundle({ action: 'actions/does-not-exist/dist/index.js' })).rejects.toThrow(
      `${join(REPO_ROOT, 'actions/does-not-exist/dist/index.js')} does not exist`,
    );
  });
});

describe('runBundle with the real @actions/core', () => {
  let bundle: string;
  let result: ActionRun;
  beforeAll(async () => {
    bundle = fixture(toolkitScript(), TOOLKIT_ACTION_YML);
    result = await run({ action: bundle });
  });

  it('reads back what the toolkit writes', () => {
    expect(result.exitCode).toBe(1);
    expect(result.inputs).toEqual({ 'INPUT_FAIL-ON': 'critical' });
    expect(result.outputs).toEqual({ 'fail-on': 'critical', report: 'line1\nline2' });
    expect(rawOutputFile(result)).toMatch(/^report<<ghadelimiter_[0-9a-f-]{36}$/m);
    expect(result.commands.map((c) => c.command)).not.toContain('set-output');
    expect(result.state).toEqual({ phase: 'main' });
    expect(result.env).toEqual({ GATE_RESULT: 'multi\nline' });
    expect(result.path).toEqual(['/opt/gate/bin']);
    expect(result.summary).toBe('<h1>Gate</h1>\nall good');
    expect(result.masks).toEqual(['hunter2-secret']);
    expect(result.groups).toEqual([{ name: 'evaluation', lines: ['rule x passed'] }]);
    // The toolkit always prints debug commands; the runner hides them unless step debugging is on.
    expect(result.debug).toEqual(['dbg']);
    expect(result.annotations.map(({ properties: _, ...a }) => a)).toEqual([
      {
        level: 'error',
        message: 'bad rule\nsecond line',
        title: 'Rule: a, b',
        file: 'policies/x.json',
        line: 3,
        endLine: 4,
      },
      { level: 'warning', message: '100% sure' },
      { level: 'notice', message: 'fyi' },
      { level: 'error', message: 'gate failed' },
    ]);
  });

  it('runs the post step with the saved state', async () => {
    const post = await run({ action: bundle, state: result.state });
    expect(post.exitCode).toBe(0);
    expect(post.outputs).toEqual({ 'post-saw': 'main' });
  });
});

/** The raw GITHUB_OUTPUT file, to check the harness parsed the toolkit's real heredoc format. */
function rawOutputFile(run: ActionRun): string {
  const dir = join(run.runnerTemp, '_runner_file_commands');
  const name = readdirSync(dir).find((n) => n.startsWith('set_output_'));
  if (name === undefined) throw new Error(`no set_output_ file in ${dir}`);
  return readFileSync(join(dir, name), 'utf8');
}

describe('timeouts', () => {
  it('kills the whole process tree and fails clearly', async () => {
    const bundle = fixture(PROTOCOL_SCRIPT, FIXTURE_ACTION_YML);
    const error = await runBundle({ action: bundle, inputs: { mode: 'hang' }, timeoutMs: 1500 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ActionTimeoutError);
    const timedOut = (error as ActionTimeoutError).run;
    runs.push(timedOut);
    expect((error as Error).message).toContain('did not finish within 1500 ms');
    expect((error as Error).message).toContain('hanging');
    expect(timedOut.signal).toBe('SIGKILL');
    const pid = Number(readFileSync(join(timedOut.runnerTemp, 'grandchild.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    // SIGKILL is delivered at once, but the kernel needs a moment to tear the process down.
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 2000, interval: 20 });
  });

  it('kill: the whole process tree dies with SIGKILL when the test says so, as on a lost runner', async () => {
    const bundle = fixture(PROTOCOL_SCRIPT, FIXTURE_ACTION_YML);
    const runnerTemp = mkdtempSync(join(tmpdir(), 'dg-harness-kill-'));
    fixtures.push(runnerTemp);
    const kill = new AbortController();
    const pending = run({ action: bundle, inputs: { mode: 'hang' }, runnerTemp, kill: kill.signal });
    const pidFile = join(runnerTemp, 'grandchild.pid');
    // The action is running once it has started its grandchild.
    await vi.waitFor(() => expect(readFileSync(pidFile, 'utf8')).toMatch(/^\d+$/), {
      timeout: 20_000,
      interval: 20,
    });
    kill.abort();
    const killed = await pending;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.exitCode).toBeNull();
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 2000, interval: 20 });
  });
});

describe('declared outputs', () => {
  it('refuses a run that sets an output its action.yml does not declare, as workflows could not read it', async () => {
    const undeclared = FIXTURE_ACTION_YML.replace(/^ {2}runner: .*\n/m, '');
    expect(undeclared).not.toBe(FIXTURE_ACTION_YML);
    const bundle = fixture(PROTOCOL_SCRIPT, undeclared);
    await expect(runBundle({ action: bundle })).rejects.toThrow(
      /does not declare the output\(s\) the action set: runner$/,
    );
  });
});

describe('leakedSecrets', () => {
  let result: ActionRun;
  const token = 'tok-ABC123xyz';
  const password = 'p@ss/word!';
  beforeAll(async () => {
    const bundle = fixture(PROTOCOL_SCRIPT, FIXTURE_ACTION_YML);
    result = await run({ action: bundle, inputs: { mode: 'leak', secret: token, password } });
  });

  it('finds secrets in stdout, files under RUNNER_TEMP and the summary (also percent-encoded)', () => {
    expect(leakedSecrets(result, [token, password, 'only-masked-value', 'never-used'])).toEqual([
      token,
      password,
    ]);
    expect(findSecretLeaks(result, [token, password])).toEqual([
      { secret: token, where: 'stdout' },
      { secret: token, where: 'file:reports/out.json' },
      { secret: password, where: 'summary' },
      { secret: password, where: expect.stringMatching(/^file:_runner_file_commands\/step_summary_/) },
    ]);
  });

  it('skips allowed files', () => {
    const leaks = findSecretLeaks(result, [token], { allow: ['reports/out.json'] });
    expect(leaks).toEqual([{ secret: token, where: 'stdout' }]);
  });

  it('rejects an empty secret, which would match everything', () => {
    expect(() => leakedSecrets(result, [''])).toThrow('empty string');
  });
});

describe('parseWorkflowCommands', () => {
  it('applies the toolkit escaping in one pass', () => {
    const parsed = parseWorkflowCommands('::error title=a%3Ab%2Cc%25,file=x::100%250A%0Anext\n');
    expect(parsed.annotations).toEqual([
      {
        level: 'error',
        message: '100%0A\nnext',
        title: 'a:b,c%',
        file: 'x',
        properties: { title: 'a:b,c%', file: 'x' },
      },
    ]);
  });

  it('handles leading whitespace, CRLF, unknown commands and stop-commands', () => {
    const stdout = [
      '  ::warning::indented',
      '::not-a-command::stays in the log',
      '::stop-commands::tok123',
      '::error::not an annotation while stopped',
      '::tok123::',
      '::notice line=x::resumed',
      'plain\r',
      '::add-mask::   ',
    ].join('\n');
    const parsed = parseWorkflowCommands(stdout);
    expect(parsed.annotations.map((a) => [a.level, a.message, a.line])).toEqual([
      ['warning', 'indented', undefined],
      ['notice', 'resumed', undefined],
    ]);
    expect(parsed.log).toEqual([
      '::not-a-command::stays in the log',
      '::error::not an annotation while stopped',
      'plain',
    ]);
    expect(parsed.masks).toEqual([]);
  });
});

describe('parseFileCommands', () => {
  it('reads name=value lines and heredocs like the runner', () => {
    const content = 'a=1\n\nb<<EOF\nx=y\r\nz<<w\nEOF\nc=has<<marks\nd<<D\nD\n';
    expect(parseFileCommands(content)).toEqual({ a: '1', b: 'x=y\r\nz<<w', c: 'has<<marks', d: '' });
  });

  it('lets a later value replace an earlier one', () => {
    expect(parseFileCommands('a=1\na=2\n')).toEqual({ a: '2' });
  });

  it('rejects what the runner rejects', () => {
    expect(() => parseFileCommands('a<<EOF\nno end\n')).toThrow("matching delimiter 'EOF' not found");
    expect(() => parseFileCommands('just text\n')).toThrow('expected name=value');
    expect(() => parseFileCommands('=value\n')).toThrow('name must not be empty');
    expect(() => parseFileCommands('<<EOF\nEOF\n')).toThrow('must not be empty');
  });
});
