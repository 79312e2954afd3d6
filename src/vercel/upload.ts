import { openAsBlob } from 'node:fs';
import { relative } from 'node:path';
import { mapLimit } from '../util/concurrency.js';
import { transferDetail, withProgress } from '../util/progress.js';
import { type RetryVerdict, retryAfterMs, withRetry } from '../util/retry.js';
import type { VercelTarget } from './api.js';
import type { BuildFile } from './files.js';

/**
 * Uploads in flight. @vercel/client sends 50 at once and then waits on them with a race over every upload
 * left, again after each one ends (quadratic in the file count); a pool of this size keeps the link busy
 * without the API's rate limit seeing a burst.
 */
export const UPLOAD_CONCURRENCY = 16;

export class UploadError extends Error {
  override readonly name = 'UploadError';
}

/** Vercel's answer to one upload other than 200: `{ error: { code, message } }`. */
class UploadRefused extends Error {
  override readonly name = 'UploadRefused';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly retryAfter: string | null,
  ) {
    super(message);
  }
}

/** 429 and 5xx are worth another try (after Retry-After), as is an upload that got no answer. */
function classifyUpload(err: unknown): RetryVerdict {
  if (err instanceof UploadRefused) {
    if (err.status !== 429 && err.status < 500) return { retry: false };
    return { retry: true, reason: `answered ${err.status}`, afterMs: retryAfterMs(err.retryAfter) };
  }
  // fetch rejects with a TypeError when the connection failed, and with the signal's reason on a timeout.
  const name = (err as { name?: string }).name;
  if (err instanceof TypeError || name === 'TimeoutError' || name === 'AbortError')
    return { retry: true, reason: 'not answering' };
  return { retry: false };
}

/** One POST /v2/files, the content read from disk as it is sent (and again by a retry). */
async function send(t: VercelTarget, file: BuildFile, signal: AbortSignal): Promise<void> {
  const query = t.teamId ? `?teamId=${encodeURIComponent(t.teamId)}` : '';
  const res = await fetch(`${t.apiUrl.replace(/\/+$/, '')}/v2/files${query}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.token}`,
      'content-type': 'application/octet-stream',
      'user-agent': 'deploy-gates',
      'x-vercel-digest': file.sha,
      'x-now-size': String(file.size),
    },
    body: file.link ? new Uint8Array(file.link) : await openAsBlob(file.path),
    signal,
  });
  const text = await res.text();
  if (res.status === 200) return;
  let error: { code?: string; message?: string } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch {
    // Not Vercel's JSON (a proxy's page): the status says enough.
  }
  throw new UploadRefused(
    res.status,
    error.code,
    error.message ?? `HTTP ${res.status}`,
    res.headers.get('retry-after'),
  );
}

export interface UploadOptions {
  /** The deployed folder: files are named relative to it in the log and in errors. */
  root: string;
  log: (message: string) => void;
  progressEveryMs?: number;
  concurrency?: number;
}

/**
 * Sends each file Vercel named missing (by SHA-1) exactly once, at most `concurrency` at a time, over
 * Vercel's upload API (POST /v2/files, as @vercel/client and the SDK's uploadFile send it). A 429, a 5xx
 * or no answer is retried within the step's time (withRetry); a refusal (a digest that does not match:
 * the file changed since it was hashed) fails the deploy naming the file, and nothing more is sent. The
 * content is read from disk as it is sent, never held for the whole build.
 */
export async function uploadMissing(
  t: VercelTarget,
  files: readonly BuildFile[],
  missing: readonly string[],
  o: UploadOptions,
): Promise<number> {
  const bySha = new Map(files.map((f) => [f.sha, f]));
  const wanted = [...new Set(missing)].map((sha) => {
    const file = bySha.get(sha);
    if (!file) throw new UploadError(`Vercel asked for a file this build does not have (sha ${sha})`);
    return file;
  });
  const total = { files: wanted.length, bytes: wanted.reduce((n, f) => n + f.size, 0) };
  const done = { files: 0, bytes: 0 };
  const started = Date.now();
  let failed = false;
  await withProgress(
    mapLimit(wanted, o.concurrency ?? UPLOAD_CONCURRENCY, async (file) => {
      if (failed) return;
      const name = relative(o.root, file.path);
      await withRetry((signal) => send(t, file, signal), {
        what: `Vercel API (upload ${name})`,
        ...(t.budget?.deadline ? { deadline: t.budget.deadline } : {}),
        // 30 s, and a second more per MB: a large file on a slow link is not cut off.
        attemptTimeoutMs: 30_000 + Math.ceil(file.size / 1e3),
        log: o.log,
        classify: classifyUpload,
      }).catch((err: unknown) => {
        failed = true;
        const cause = (err as { cause?: unknown }).cause ?? err;
        const code = cause instanceof UploadRefused ? cause.code : undefined;
        throw new UploadError(
          `uploading ${name} failed${code ? ` (${code})` : ''}: ${(err as Error).message}${code === 'incorrect_file_digest' ? '; the file changed after it was hashed' : ''}`,
        );
      });
      done.files++;
      done.bytes += file.size;
    }),
    {
      what: 'Uploading',
      log: o.log,
      ...(o.progressEveryMs ? { everyMs: o.progressEveryMs } : {}),
      detail: () => transferDetail(done, total, started),
    },
  );
  o.log(
    `Uploaded ${done.files} files (${(done.bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return done.files;
}
