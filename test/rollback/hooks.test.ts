import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { type Hook, parseHooks, runHook } from '../../src/rollback/hooks.js';
import { splitCommandLine } from '../../src/util/command-line.js';

const ECHO = join(import.meta.dirname, 'fixtures', 'echo-argv.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hooks-'));
  dirs.push(d);
  return d;
}

const words = (line: string) => {
  const r = splitCommandLine(line);
  if (!r.ok) throw new Error(r.problem);
  return r.words;
};

/** Runs the hook and returns the argv the program saw. */
async function argvOf(hook: Hook, cwd = tempDir(), env: Record<string, string> = {}): Promise<unknown> {
  let out = '';
  const { exitCode } = await runHook(hook, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    onOutput: (c) => {
      out += c.toString('utf8');
    },
  });
  expect(exitCode).toBe(0);
  return JSON.parse(out);
}

describe('splitCommandLine', () => {
  it('splits on unquoted spaces and tabs', () => {
    expect(words('kubectl  rollout\tundo deployment/neonpro-web')).toEqual([
      'kubectl',
      'rollout',
      'undo',
      'deployment/neonpro-web',
    ]);
  });

  it('keeps single-quoted text literally, backslashes included', () => {
    expect(words(`echo 'a b' 'c\\d' '$(x)'`)).toEqual(['echo', 'a b', 'c\\d', '$(x)']);
  });

  it('honours \\" and \\\\ inside double quotes and nothing else', () => {
    expect(words(`echo "say \\"hi\\"" "back\\\\slash" "keep\\n" "$HOME"`)).toEqual([
      'echo',
      'say "hi"',
      'back\\slash',
      'keep\\n',
      '$HOME',
    ]);
  });

  it('joins quoted parts to the word they touch, and keeps empty words', () => {
    expect(words(`run --name="a b"c '' ""`)).toEqual(['run', '--name=a bc', '', '']);
  });

  it('takes the character after an unquoted backslash literally', () => {
    expect(words('echo a\\ b \\"q\\\' \\;')).toEqual(['echo', 'a b', `"q'`, ';']);
  });

  it('leaves shell metacharacters as ordinary characters', () => {
    expect(words('echo a;b && c | d > out < in $(id) `id` ~ * #x')).toEqual([
      'echo',
      'a;b',
      '&&',
      'c',
      '|',
      'd',
      '>',
      'out',
      '<',
      'in',
      '$(id)',
      '`id`',
      '~',
      '*',
      '#x',
    ]);
  });

  it('reports unclosed quotes and a trailing backslash', () => {
    expect(splitCommandLine(`echo 'open`)).toEqual({
      ok: false,
      problem: 'a single quote at column 6 is never closed',
    });
    expect(splitCommandLine('echo "open\\"')).toEqual({
      ok: false,
      problem: 'a double quote at column 6 is never closed',
    });
    expect(splitCommandLine('echo \\')).toEqual({
      ok: false,
      problem: 'the line ends with a lone backslash',
    });
  });
});

describe('parseHooks', () => {
  it('reads one command per line, skipping blank and comment lines', () => {
    const hooks = parseHooks(
      '\n# restore the config\nkubectl rollout undo deployment/neonpro-web\n\n  echo done  \n',
    );
    expect(hooks).toEqual([
      {
        index: 1,
        line: 'kubectl rollout undo deployment/neonpro-web',
        program: 'kubectl',
        args: ['rollout', 'undo', 'deployment/neonpro-web'],
      },
      { index: 2, line: 'echo done', program: 'echo', args: ['done'] },
    ]);
  });

  it('rejects the whole input when any line is malformed, naming the input and the line', () => {
    const attempt = () => parseHooks("echo ok\necho 'broken");
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(
      /^Input "hooks": line 2 \(echo 'broken\): a single quote at column 6 is never closed/,
    );
  });

  it('rejects program names that cannot be passed through intact', () => {
    expect(() => parseHooks(`'' arg`)).toThrow(/line 1: the program name "" cannot be run/);
    expect(() => parseHooks(`'my"tool' arg`)).toThrow(/the program name "my\\"tool" cannot be run/);
  });
});

describe('runHook', () => {
  it('passes ;, &&, |, $(...), backticks, > and quotes to the program literally', async () => {
    const cwd = tempDir();
    const [hook] = parseHooks(
      `node ${ECHO} 'a;b' ; && '|' '$(touch pwned)' \`touch pwned2\` > out.txt "$HOME" 'it''s' --x="1 2"`,
    );
    expect(await argvOf(hook as Hook, cwd)).toEqual([
      'a;b',
      ';',
      '&&',
      '|',
      '$(touch pwned)',
      '`touch',
      'pwned2`',
      '>',
      'out.txt',
      '$HOME',
      'its',
      '--x=1 2',
    ]);
    // Nothing was interpreted: no command ran and no redirection happened.
    expect(existsSync(join(cwd, 'pwned'))).toBe(false);
    expect(existsSync(join(cwd, 'pwned2`'))).toBe(false);
    expect(existsSync(join(cwd, 'out.txt'))).toBe(false);
  });

  it('runs an executable by path, relative to the working directory', async () => {
    const [hook] = parseHooks(`${ECHO} "semi;colon" 'x > y'`);
    expect(await argvOf(hook as Hook)).toEqual(['semi;colon', 'x > y']);
  });

  it('returns a non-zero exit code instead of throwing', async () => {
    const [hook] = parseHooks(`node ${ECHO} fail`);
    const result = await runHook(hook as Hook, {
      cwd: tempDir(),
      env: { PATH: process.env.PATH ?? '', ECHO_ARGV_EXIT: '3' },
      onOutput: () => undefined,
    });
    expect(result.exitCode).toBe(3);
  });

  it('fails clearly when the program does not exist', async () => {
    const [hook] = parseHooks('definitely-not-a-program-xyz arg');
    await expect(
      runHook(hook as Hook, {
        cwd: tempDir(),
        env: { PATH: process.env.PATH ?? '' },
        onOutput: () => undefined,
      }),
    ).rejects.toThrow(/definitely-not-a-program-xyz/);
  });
});
