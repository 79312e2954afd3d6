import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { childEnvironment } from '../util/child-env.js';

export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    readonly tool: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(
      `${tool} failed (exit ${code ?? 'signal'}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`,
    );
  }
}

/**
 * Starts a program with an argument array, never through a shell, so no argument is ever interpreted:
 * the one place the actions start a child process. `env` is the child's whole environment (see
 * childEnvironment); a relative program path is read from `cwd`, a bare name from the PATH in `env`.
 */
type Stdio = 'pipe' | 'ignore';
type Piped<S extends Stdio, T> = S extends 'pipe' ? T : null;

export function startTool<I extends Stdio, O extends Stdio, E extends Stdio>(
  path: string,
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string | undefined; stdio: [I, O, E] },
): ChildProcessByStdio<Piped<I, Writable>, Piped<O, Readable>, Piped<E, Readable>> {
  return spawn(path, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: options.stdio,
  }) as ChildProcessByStdio<Piped<I, Writable>, Piped<O, Readable>, Piped<E, Readable>>;
}

export interface ProgramResult {
  /** null when a signal ended it. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end and resolves with its exit code, whatever it is, and its output; rejects only
 * when the program cannot be started (not found, not executable). Output is collected, and handed to
 * `onStdout`/`onStderr` as it comes.
 */
export function runProgram(
  path: string,
  args: readonly string[],
  options: {
    env: Record<string, string>;
    cwd?: string | undefined;
    onStdout?: (chunk: Buffer) => void;
    onStderr?: (chunk: Buffer) => void;
  },
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = startTool(path, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      options.onStdout?.(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      options.onStderr?.(c);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        exitCode: code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

/**
 * Runs a client tool with an argument array (no shell) and the given variables on top of the step's
 * environment; resolves with its stdout, rejects with a ToolError when it exits non-zero.
 */
export async function runTool(
  path: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<string> {
  const result = await runProgram(path, args, { env: childEnvironment(process.env, env), cwd });
  if (result.exitCode === 0) return result.stdout;
  throw new ToolError(path.split('/').pop() ?? path, result.exitCode, result.stderr);
}
