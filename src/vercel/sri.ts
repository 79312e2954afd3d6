import { createHash } from 'node:crypto';
import { glob, readFile } from 'node:fs/promises';

/** path → "sha384-<base64>" for every built asset the globs match, for Subresource Integrity. */
export async function sriManifest(root: string, patterns: string[]): Promise<Record<string, string>> {
  const files = new Set<string>();
  for (const pattern of patterns)
    for await (const f of glob(pattern, { cwd: root, exclude: (p) => p.includes('node_modules') }))
      files.add(f);
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
