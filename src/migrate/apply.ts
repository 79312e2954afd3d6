import { performance } from 'node:perf_hooks';
import { childEnvironment } from '../util/child-env.js';
import type { TimedLine } from './durations.js';
import type { MigrationCommand } from './tools.js';

export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
}

/**
 * Runs the migration tool with an argument array (no shell) in the working directory. The database URL
 * reaches it as DATABASE_URL in its environment (argv is visible to every process on the machine); the
 * action's inputs and the runner's tokens do not (see childEnvironment).
 */
export async function applyMigrations(
  cmd: MigrationCommand,
  cwd: string,
  databaseUrl: string,
): Promise<{ durationMs: number; startedAt: number; lines: TimedLine[] }> {
  const { getExecOutput } = await import('@actions/exec');
  const started = performance.now();
  const lines: TimedLine[] = [];
  const result = await getExecOutput(cmd.program, cmd.args, {
    cwd,
    env: childEnvironment(process.env, { DATABASE_URL: databaseUrl }),
    ignoreReturnCode: true,
    listeners: { stdline: (text) => lines.push({ at: performance.now(), text }) },
  });
  const durationMs = Math.round(performance.now() - started);
  if (result.exitCode !== 0) {
    // The tool's own error is on stderr; its progress on stdout says only how far it got.
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ');
    throw new MigrationFailedError(
      `${cmd.tool === 'command' ? cmd.program : cmd.tool} exited with ${result.exitCode}: ${tail}`,
    );
  }
  return { durationMs, startedAt: started, lines };
}
