import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { runProgram } from '../db/run-tool.js';
import { InputError } from '../errors.js';
import { parseLines } from '../runner/inputs.js';
import { splitCommandLine } from '../util/command-line.js';

/** One `hooks` line: the program and its arguments, exactly as the program will receive them. */
export interface Hook {
  /** 1-based position among the hooks, stable across re-runs of the same inputs. */
  index: number;
  line: string;
  program: string;
  args: string[];
}

/**
 * Parses the `hooks` input: one command per line, blank lines and `#` comment lines skipped. Every line is
 * checked before any hook runs, so a typo in the third line never leaves the first two half-applied.
 */
/** Whether a hook's program can be started: checked up front, as a missing one fails only after the app moved. */
export function findProgram(program: string): boolean {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return executable(isAbsolute(program) ? program : resolve(program));
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && executable(join(dir, program)));
}

export function parseHooks(raw: string): Hook[] {
  return parseLines(raw).map((line, i) => {
    const split = splitCommandLine(line);
    if (!split.ok) {
      throw new InputError(
        'hooks',
        `line ${i + 1} (${line}): ${split.problem}`,
        'Close every quote, or escape a literal quote with a backslash; see the quoting rules in the README.',
      );
    }
    const [program = '', ...args] = split.words;
    // Quotes in a program name, or spaces or a backslash at its ends, are a quoting slip, not a program.
    if (program === '' || program.includes('"') || /\s$|^\s|\\$/.test(program)) {
      throw new InputError(
        'hooks',
        `line ${i + 1}: the program name ${JSON.stringify(program)} cannot be run`,
        'Start the line with a program name or path without double quotes, surrounding spaces or a trailing backslash.',
      );
    }
    return { index: i + 1, line, program, args };
  });
}

/** Hooks whose programs can all be started, checked before the rollback changes anything. */
export function assertHookPrograms(hooks: Hook[]): Hook[] {
  for (const hook of hooks) {
    if (!findProgram(hook.program)) {
      throw new InputError(
        'hooks',
        `line ${hook.index}: the program ${JSON.stringify(hook.program.slice(0, 80))} is not on PATH`,
        'Install the program in an earlier step, or give its path (relative paths are read from the workspace).',
      );
    }
  }
  return hooks;
}

export interface HookRunOptions {
  cwd: string;
  /** Environment of the hook. */
  env: Record<string, string>;
  /** Receives the hook's stdout and stderr as they come. */
  onOutput?: (chunk: Buffer) => void;
}

export interface HookResult {
  exitCode: number;
}

/**
 * Runs one hook as an argument array (no shell), so no argument is ever interpreted. Its output goes to the
 * step's log, or to `onOutput`. A program that cannot be started rejects: the hooks step records it as a
 * failed hook, not a crash.
 */
export async function runHook(hook: Hook, options: HookRunOptions): Promise<HookResult> {
  const write = (stream: NodeJS.WriteStream) => (chunk: Buffer) => stream.write(chunk);
  const result = await runProgram(hook.program, hook.args, {
    cwd: options.cwd,
    env: options.env,
    onStdout: options.onOutput ?? write(process.stdout),
    onStderr: options.onOutput ?? write(process.stderr),
  });
  // A hook ended by a signal has no exit code, and did not succeed.
  return { exitCode: result.exitCode ?? 1 };
}
