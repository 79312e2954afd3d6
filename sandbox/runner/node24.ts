import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The major version `runs.using: node24` means; the test process itself may run on another Node. */
export const RUNNER_NODE_MAJOR = 24;

const verified = new Map<string, Promise<string>>();

async function verify(binary: string): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['-p', 'process.versions.node'], {
    env: { PATH: process.env.PATH ?? '' },
  });
  const version = stdout.trim();
  if (Number.parseInt(version, 10) !== RUNNER_NODE_MAJOR) {
    throw new Error(
      `${binary} is Node ${version}, but actions run on Node ${RUNNER_NODE_MAJOR} (runs.using: node24). ` +
        'Reinstall the dev dependency `node@24` (npm ci).',
    );
  }
  return binary;
}

/**
 * Path of the repository's Node 24 binary, checked once per process. The installed npm package has no
 * dev dependencies: there the Node 24 running the CLI (bin/deploy-gates.js insists on 24 or later) is it.
 */
export function resolveNode24(repoRoot: string): Promise<string> {
  const candidates = [
    join(repoRoot, 'node_modules', 'node', 'bin', 'node'),
    join(repoRoot, 'node_modules', '.bin', 'node'),
  ];
  const binary =
    candidates.find((c) => existsSync(c)) ??
    (Number.parseInt(process.versions.node, 10) === RUNNER_NODE_MAJOR ? process.execPath : undefined);
  if (binary === undefined) {
    return Promise.reject(
      new Error(
        `No Node ${RUNNER_NODE_MAJOR} binary at ${candidates.join(' or ')}; run npm ci (dev dependency node@24).`,
      ),
    );
  }
  let check = verified.get(binary);
  if (check === undefined) {
    check = verify(binary);
    verified.set(binary, check);
  }
  return check;
}
