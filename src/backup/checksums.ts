import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface FileSum {
  path: string;
  bytes: number;
  sha256: string;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat().sort();
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** SHA-256 of every file under `dir`, relative paths sorted, hashed in parallel. */
export async function checksumDir(dir: string): Promise<FileSum[]> {
  const files = await walk(dir);
  return Promise.all(
    files.map(async (f) => ({
      path: relative(dir, f),
      bytes: (await stat(f)).size,
      sha256: await hashFile(f),
    })),
  );
}

/** One digest over the whole list: what `backup-sha256` reports. */
export function digestOf(sums: readonly FileSum[]): string {
  const hash = createHash('sha256');
  for (const s of sums) hash.update(`${s.sha256}  ${s.path}\n`);
  return hash.digest('hex');
}

/** The files whose content no longer matches, or that are missing or extra. */
export async function mismatches(
  dir: string,
  expected: readonly FileSum[],
  ignore: string[] = [],
): Promise<string[]> {
  const actual = new Map(
    (await checksumDir(dir)).filter((s) => !ignore.includes(s.path)).map((s) => [s.path, s.sha256]),
  );
  const problems = expected
    .filter((e) => actual.get(e.path) !== e.sha256)
    .map((e) => (actual.has(e.path) ? `${e.path} (checksum differs)` : `${e.path} (missing)`));
  const known = new Set(expected.map((e) => e.path));
  for (const path of actual.keys()) if (!known.has(path)) problems.push(`${path} (not in the manifest)`);
  return problems;
}
