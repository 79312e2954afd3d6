import { performance } from 'node:perf_hooks';
import { runProgram } from '../db/run-tool.js';
import { childEnvironment } from '../util/child-env.js';
import type { TimedLine } from './durations.js';
import type { MigrationCommand } from './tools.js';

export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
}

/** Splits a stream into lines, each stamped when its end arrived (the durations are read off them). */
function lineClock(lines: TimedLine[]) {
  let partial = '';
  return {
    chunk(chunk: Buffer) {
      const parts = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = parts.pop() ?? '';
      const at = performance.now();
      for (const text of parts) lines.push({ at, text });
    },
    end() {
      if (partial) lines.push({ at: performance.now(), text: partial });
    },
  };
}

/**
 * Runs the migration tool with an argument array (no shell) in the working directory; its output goes to
 * the step's log as it comes. The database URL reaches it as DATABASE_URL in its environment (argv is
 * visible to every process on the machine); the action's inputs and the runner's tokens do not (see
 * childEnvironment).
 */
export async function applyMigrations(
  cmd: MigrationCommand,
  cwd: string,
  databaseUrl: string,
): Promise<{ durationMs: number; startedAt: number; lines: TimedLine[] }> {
  const started = performance.now();
  const lines: TimedLine[] = [];
  const stdout = lineClock(lines);
  const result = await runProgram(cmd.program, cmd.args, {
    cwd,
    env: childEnvironment(process.env, { DATABASE_URL: databaseUrl }),
    onStdout: (chunk) => {
      process.stdout.write(chunk);
      stdout.chunk(chunk);
    },
    onStderr: (chunk) => process.stderr.write(chunk),
  });
  stdout.end();
  const durationMs = Math.round(performance.now() - started);
  if (result.exitCode !== 0) {
    // The tool's own error is on stderr; its progress on stdout says only how far it got.
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ');
    throw new MigrationFailedError(
      `${cmd.tool === 'command' ? cmd.program : cmd.tool} exited with ${result.exitCode ?? 'a signal'}: ${tail}`,
    );
  }
  return { durationMs, startedAt: started, lines };
}
