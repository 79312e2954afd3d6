import { createHash } from 'node:crypto';
import { globSync } from 'node:fs';
import { glob, readFile } from 'node:fs/promises';

const notInstalled = (p: string) => p.includes('node_modules');

/** The first file a glob matches under root, or undefined; checked before anything is deployed. */
export function firstMatch(root: string, pattern: string): string | undefined {
  return globSync(pattern, { cwd: root, exclude: notInstalled })[0];
}

/** path → "sha384-<base64>" for every built asset the globs match, for Subresource Integrity. */
export async function sriManifest(root: string, patterns: string[]): Promise<Record<string, string>> {
  const files = new Set<string>();
  for (const pattern of patterns)
    for await (const f of glob(pattern, { cwd: root, exclude: notInstalled })) files.add(f);
  const entries = await Promise.all(
    [...files].sort().map(
      async (f) =>
        [
          f,
          `sha384-${createHash('sha384')
            .update(await readFile(`${root}/${f}`))
            .digest('base64')}`,
        ] as const,
    ),
  );
  return Object.fromEntries(entries);
}
