import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Logs a line every `everyMs` while `work` runs, so a long dump, restore or upload is never silent for
 * longer than that: "pg_dump: still running (40 s; 120.3 MB written)". `detail` says how far it got; it
 * may fail or be slow (a folder being written), which only leaves it out of that line.
 */
export async function withProgress<T>(
  work: Promise<T>,
  o: {
    what: string;
    log: (message: string) => void;
    everyMs?: number;
    detail?: () => Promise<string | undefined> | string | undefined;
  },
): Promise<T> {
  const started = Date.now();
  const timer = setInterval(async () => {
    const detail = await Promise.resolve()
      .then(() => o.detail?.())
      .catch(() => undefined);
    const seconds = Math.round((Date.now() - started) / 1000);
    o.log(`${o.what}: still running (${seconds} s${detail ? `; ${detail}` : ''})`);
  }, o.everyMs ?? 10_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** 1.2 MB, 340.5 MB: what a progress line says of bytes. */
export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The bytes of the files directly in `dir` (a pg_dump directory archive is flat). */
export async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        stat(join(dir, e.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}
