import { globSync } from 'node:fs';
import { isAbsolute, matchesGlob, relative, resolve, sep } from 'node:path';
import type { BuildFile } from './files.js';

const notInstalled = (p: string) => p.includes('node_modules');

/** The first file a glob matches under root, or undefined; checked before anything is deployed. */
export function firstMatch(root: string, pattern: string): string | undefined {
  return globSync(pattern, { cwd: root, exclude: notInstalled })[0];
}

/**
 * The deployed files under root that the globs match (relative, sorted): the assets SRI is computed for.
 * Matched against the deploy's own file list, so the folder is walked once, not once more per glob.
 */
export function sriFiles(root: string, patterns: readonly string[], deployed: readonly string[]): string[] {
  const names: string[] = [];
  for (const path of deployed) {
    const name = relative(root, path).split(sep).join('/');
    if (name.startsWith('../') || isAbsolute(name) || notInstalled(name)) continue;
    if (patterns.some((pattern) => matchesGlob(name, pattern))) names.push(name);
  }
  return names.sort();
}

/** path → "sha384-<base64>" for Subresource Integrity, from the digests the deploy's one read computed (hashFiles). */
export function sriManifest(
  root: string,
  names: readonly string[],
  hashed: readonly BuildFile[],
): Record<string, string> {
  const byPath = new Map(hashed.map((f) => [resolve(f.path), f.sri]));
  return Object.fromEntries(
    names.map((name) => {
      const sri = byPath.get(resolve(root, name));
      if (!sri) throw new Error(`no SHA-384 was computed for ${name}`);
      return [name, sri];
    }),
  );
}
