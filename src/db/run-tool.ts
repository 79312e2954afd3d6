import { spawn } from 'node:child_process';
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

/** Runs a program with an argument array (no shell) and the given environment; resolves with its stdout. */
export function runTool(
  path: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, {
      env: childEnvironment(process.env, env),
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) resolve(stdout);
      else reject(new ToolError(path.split('/').pop() ?? path, code, Buffer.concat(err).toString()));
    });
  });
}
