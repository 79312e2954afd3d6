import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { transferDetail, withProgress } from '../util/progress.js';

/** One file of the build as Vercel is told of it, hashed once. */
export interface BuildFile {
  /** Absolute path on the runner. */
  path: string;
  /** SHA-1 hex of the content: Vercel's name for it (`x-vercel-digest`, `files[].sha`). */
  sha: string;
  size: number;
  mode: number;
  /** A symbolic link is deployed as its target's text, as @vercel/client does. */
  link?: Buffer;
  /** "sha384-<base64>" when the SRI globs select the file. */
  sri?: string;
}

/** Bytes read at a time: a file up to this size is one read; a larger one is streamed through both digests. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** The hashing gives the event loop a turn this often, so progress lines and timers keep running. */
const YIELD_EVERY_MS = 50;

/**
 * The files of the folder Vercel would be sent, by @vercel/client's own rules (its default ignores,
 * .vercelignore, only .vercel/output when prebuilt), so the change of uploader does not change what is
 * deployed.
 */
export async function listBuildFiles(path: string, prebuilt: boolean): Promise<string[]> {
  const { buildFileTree } = await import('@vercel/client/dist/utils/index.js');
  const { fileList } = await buildFileTree(
    path,
    { isDirectory: true, prebuilt, vercelOutputDir: `${path}/.vercel/output` },
    () => undefined,
  );
  return fileList;
}

let chunk: Buffer | undefined;

/**
 * One read of the file, in chunks into one reused buffer, each chunk fed to SHA-1 and (for SRI) SHA-384.
 * Synchronous on purpose: the build was just written and sits in the page cache, where a thread-pool round
 * trip per open, read and close costs more than the read itself (bench/vercel-deploy.ts (b)).
 */
function hashOne(path: string, withSri: boolean): BuildFile {
  const stat = lstatSync(path);
  const sha1 = createHash('sha1');
  const sha384 = withSri ? createHash('sha384') : undefined;
  let link: Buffer | undefined;
  let size = 0;
  if (stat.isSymbolicLink()) {
    link = Buffer.from(readlinkSync(path), 'utf8');
    size = link.length;
    sha1.update(link);
  } else {
    chunk ??= Buffer.allocUnsafe(CHUNK_BYTES);
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        const data = chunk.subarray(0, n);
        sha1.update(data);
        sha384?.update(data);
        size += n;
        // A short read of a regular file is its end: no second read to learn it.
        if (n < chunk.length) break;
      }
    } finally {
      closeSync(fd);
    }
  }
  return {
    path,
    sha: sha1.digest('hex'),
    size,
    mode: stat.mode,
    ...(link ? { link } : {}),
    ...(sha384 ? { sri: `sha384-${sha384.digest('base64')}` } : {}),
  };
}

export interface HashOptions {
  /** Absolute paths of the files whose SHA-384 (SRI) is wanted too. */
  sri: ReadonlySet<string>;
  log: (message: string) => void;
  /** How often a progress line is logged; default 10 s. */
  progressEveryMs?: number;
}

/**
 * Reads every file once and computes its SHA-1 (what Vercel names it by) and, for the SRI files, its
 * SHA-384 from the same bytes: the deploy used to read every asset twice, through @vercel/client's
 * hashing and then the SRI manifest's. One file at a time, giving the event loop a turn every 50 ms.
 */
export async function hashFiles(paths: readonly string[], o: HashOptions): Promise<BuildFile[]> {
  const done = { files: 0, bytes: 0 };
  const started = Date.now();
  const total = { files: paths.length };
  const hashAll = async () => {
    const files: BuildFile[] = [];
    let turn = performance.now();
    for (const path of paths) {
      const file = hashOne(path, o.sri.has(path));
      files.push(file);
      done.files++;
      done.bytes += file.size;
      if (performance.now() - turn >= YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
    }
    return files;
  };
  const files = await withProgress(hashAll(), {
    what: 'Hashing',
    log: o.log,
    ...(o.progressEveryMs ? { everyMs: o.progressEveryMs } : {}),
    detail: () => transferDetail(done, total, started),
  });
  o.log(
    `Hashed ${files.length} files (${(done.bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return files;
}
