import { createHash } from 'node:crypto';
import { globSync } from 'node:fs';
import { glob, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BuildFile } from './files.js';

const notInstalled = (p: string) => p.includes('node_modules');

/** The first file a glob matches under root, or undefined; checked before anything is deployed. */
export function firstMatch(root: string, pattern: string): string | undefined {
  return globSync(pattern, { cwd: root, exclude: notInstalled })[0];
}

/** The built assets the globs match under root (relative, sorted): the files SRI is computed for. */
export async function sriFiles(root: string, patterns: string[]): Promise<string[]> {
  // One walk of the folder for all the patterns, not one per pattern.
  const files = new Set<string>();
  for await (const f of glob(patterns, { cwd: root, exclude: notInstalled })) files.add(f);
  return [...files].sort();
}

/**
 * path → "sha384-<base64>" for Subresource Integrity, from the digests the deploy's one read computed
 * (hashFiles); an asset that is not deployed (.vercelignore) is read for it alone.
 */
export async function sriManifest(
  root: string,
  names: readonly string[],
  hashed: readonly BuildFile[],
): Promise<Record<string, string>> {
  const byPath = new Map(hashed.map((f) => [resolve(f.path), f.sri]));
  const entries = await Promise.all(
    names.map(async (f) => {
      const path = resolve(root, f);
      const sri =
        byPath.get(path) ??
        `sha384-${createHash('sha384')
          .update(await readFile(path))
          .digest('base64')}`;
      return [f, sri] as const;
    }),
  );
  return Object.fromEntries(entries);
}
