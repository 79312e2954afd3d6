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

/**
 * How far a transfer of many files got, for a progress line: "1200 of 5000 files, 23.4 MB of 93.0 MB,
 * 11.7 MB/s, about 8 s left". Time left is read from the bytes when their total is known, else from the
 * files; it is left out until something is done.
 */
export function transferDetail(
  done: { files: number; bytes: number },
  total: { files: number; bytes?: number },
  startedMs: number,
  now = Date.now(),
): string {
  const seconds = Math.max(0.001, (now - startedMs) / 1000);
  const parts = [
    `${done.files} of ${total.files} files`,
    total.bytes === undefined
      ? megabytes(done.bytes)
      : `${megabytes(done.bytes)} of ${megabytes(total.bytes)}`,
    `${megabytes(done.bytes / seconds)}/s`,
  ];
  const fraction = total.bytes ? done.bytes / total.bytes : total.files ? done.files / total.files : 1;
  if (fraction > 0 && fraction < 1)
    parts.push(`about ${Math.ceil((seconds * (1 - fraction)) / fraction)} s left`);
  return parts.join(', ');
}

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
