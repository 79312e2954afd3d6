/**
 * The folder the local runner puts first on PATH for `run:` steps: the sandbox's stand-ins for runner
 * tools (gh). In the clone, sandbox/workflow/bin; from the bundle (the npm package's `deploy-gates
 * rehearse`), the copy scripts/build.mjs puts in dist/sandbox-bin, made executable in a folder of its own,
 * since a packed file keeps no file mode npm promises.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/policy/package-root.js';

/** Where the build puts the stand-ins, relative to the package root. */
export const BUNDLED_SANDBOX_BIN = 'dist/sandbox-bin';

let found: string | undefined;

export function sandboxBin(): string {
  if (found) return found;
  const source = join(import.meta.dirname, 'bin');
  if (existsSync(join(source, 'gh'))) {
    found = source;
    return found;
  }
  const bundled = join(packageRoot(), BUNDLED_SANDBOX_BIN);
  const dir = mkdtempSync(join(tmpdir(), 'dg-sandbox-bin-'));
  for (const name of readdirSync(bundled)) {
    copyFileSync(join(bundled, name), join(dir, name));
    chmodSync(join(dir, name), 0o755);
  }
  found = dir;
  return found;
}
