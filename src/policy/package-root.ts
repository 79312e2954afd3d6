import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The deploy-gates checkout the code runs from. A bundle in dist/ or actions/<name>/dist/ and the
 * sources under src/ all find it by walking up to the folder that holds policies/policy.schema.json,
 * because the runner checks out the whole repository for `uses: owner/repo/path@ref`.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'policies', 'policy.schema.json'))) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('deploy-gates: cannot find its policies/ folder next to the action bundle');
    dir = parent;
  }
}

export function builtinPoliciesDir(): string {
  return join(packageRoot(), 'policies');
}
