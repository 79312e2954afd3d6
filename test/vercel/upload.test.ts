import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import { transferDetail } from '../../src/util/progress.js';
import type { VercelTarget } from '../../src/vercel/api.js';
import { hashFiles, listBuildFiles } from '../../src/vercel/files.js';
import { UploadError, uploadMissing } from '../../src/vercel/upload.js';

// Hashing once and uploading what Vercel lacks, over real HTTP against the emulator.
let vercel: VercelEmulator;
let log: string[];
const dirs: string[] = [];

beforeAll(async () => {
  vercel = await startVercelEmulator({ queuedMs: 0, buildMs: 0 });
});
afterAll(async () => {
  await vercel?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  vercel.clearFaults();
  vercel.resetUploadStats();
  log = [];
});

const target = (): VercelTarget => ({
  token: vercel.token,
  project: 'web',
  teamId: vercel.teamId,
  apiUrl: vercel.apiUrl,
  budget: { deadline: Date.now() + 30_000, log: () => undefined },
});

/** A build of `n` distinct files under a fresh folder; `tag` keeps contents apart between tests. */
function build(n: number, tag: string, extra: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dg-upload-'));
  dirs.push(dir);
  const files: Record<string, string | Buffer> = { ...extra };
  for (let i = 0; i < n; i++) files[`assets/${i % 3}/f${i}.${i % 2 ? 'js' : 'html'}`] = `${tag} file ${i}`;
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const sha = (algorithm: string, data: Buffer, encoding: 'hex' | 'base64') =>
  createHash(algorithm).update(data).digest(encoding);
const uploadsAnswered = () => vercel.requests.filter((r) => r.path === '/v2/files');

describe('hashFiles', () => {
  it('one read gives SHA-1 and, for the SRI files, SHA-384 equal to an independent computation (a 9 MB file streamed in chunks, a symlink as its target text)', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024 + 123, 7);
    big.write('not all sevens', 4 * 1024 * 1024 - 3);
    const dir = build(6, 'hash', { 'big.js': big, 'empty.css': '' });
    symlinkSync('assets/0/f0.html', join(dir, 'link.html'));
    const paths = await listBuildFiles(dir, false);
    expect(paths).toHaveLength(9);
    const sri = new Set(paths.filter((p) => /\.(js|css)$/.test(p)));
    const files = await hashFiles(paths, { sri, log: (m) => log.push(m) });
    for (const f of files) {
      const content = f.path.endsWith('link.html') ? Buffer.from('assets/0/f0.html') : readFileSync(f.path);
      expect(f.sha, f.path).toBe(sha('sha1', content, 'hex'));
      expect(f.size, f.path).toBe(content.length);
      expect(f.sri, f.path).toBe(sri.has(f.path) ? `sha384-${sha('sha384', content, 'base64')}` : undefined);
    }
    expect(files.find((f) => f.path.endsWith('big.js'))?.size).toBe(big.length);
    expect(log).toEqual([expect.stringMatching(/^Hashed 9 files \(9\.\d MB\) in \d+\.\d s$/)]);
  });
});

describe('uploadMissing', () => {
  it('uploads each missing file exactly once, never more than the pool size at a time, with progress lines', async () => {
    const dir = build(40, 'pool');
    const files = await hashFiles(await listBuildFiles(dir, false), { sri: new Set(), log: () => undefined });
    vercel.delayNext(40, 60, { path: '/v2/files', method: 'POST' });
    const sent = await uploadMissing(
      target(),
      files,
      files.map((f) => f.sha),
      { root: dir, log: (m) => log.push(m), concurrency: 4, progressEveryMs: 100 },
    );
    expect(sent).toBe(40);
    expect(vercel.uploads.files).toBe(40);
    expect(uploadsAnswered()).toHaveLength(40);
    expect(vercel.uploads.maxInFlight).toBe(4);
    expect(log.filter((l) => l.startsWith('Uploading: still running')).length).toBeGreaterThanOrEqual(2);
    expect(log.find((l) => l.startsWith('Uploading: still running'))).toMatch(
      /^Uploading: still running \(\d+ s; \d+ of 40 files, [\d.]+ MB of [\d.]+ MB, [\d.]+ MB\/s(, about \d+ s left)?\)$/,
    );
    expect(log.at(-1)).toMatch(/^Uploaded 40 files \([\d.]+ MB\) in [\d.]+ s$/);
  });

  it('a file Vercel already has is not sent; one named twice is sent once', async () => {
    const dir = build(5, 'some');
    const files = await hashFiles(await listBuildFiles(dir, false), { sri: new Set(), log: () => undefined });
    const wanted = [files[0]?.sha ?? '', files[0]?.sha ?? '', files[3]?.sha ?? ''];
    const before = uploadsAnswered().length;
    expect(await uploadMissing(target(), files, wanted, { root: dir, log: () => undefined })).toBe(2);
    expect(uploadsAnswered().length - before).toBe(2);
    expect(vercel.uploads.files).toBe(2);
  });

  it('a transient 503 on one upload is retried and the upload completes', async () => {
    const dir = build(8, 'retry');
    const files = await hashFiles(await listBuildFiles(dir, false), { sri: new Set(), log: () => undefined });
    const before = uploadsAnswered().length;
    vercel.failNext(1, { path: '/v2/files', method: 'POST', status: 503 });
    await uploadMissing(
      target(),
      files,
      files.map((f) => f.sha),
      { root: dir, log: (m) => log.push(m) },
    );
    const answered = uploadsAnswered().slice(before);
    expect(answered.map((r) => r.status).sort()).toEqual([...Array(8).fill(200), 503]);
    expect(vercel.uploads.files).toBe(8);
    expect(log).toContainEqual(
      expect.stringMatching(/^Vercel API \(upload assets\/\d\/f\d\.\w+\): answered 503; retry 1\/4 in/),
    );
  });

  it('a file that changed after it was hashed fails on its digest, naming the file, and is not retried', async () => {
    const dir = build(3, 'changed');
    const files = await hashFiles(await listBuildFiles(dir, false), { sri: new Set(), log: () => undefined });
    const changed = files[1];
    if (!changed) throw new Error('no file');
    writeFileSync(changed.path, 'edited after hashing!');
    const before = uploadsAnswered().length;
    const err = await uploadMissing(target(), files, [changed.sha], {
      root: dir,
      log: (m) => log.push(m),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadError);
    expect((err as Error).message).toMatch(
      /^uploading assets\/\d\/f\d\.\w+ failed \(incorrect_file_digest\): .*; the file changed after it was hashed$/,
    );
    expect(uploadsAnswered().length - before).toBeLessThanOrEqual(1);
    expect(vercel.uploads.files).toBe(0);
    expect(log.filter((l) => l.includes('retry'))).toEqual([]);
  });

  it('a sha the build does not have is refused before anything is sent', async () => {
    const dir = build(1, 'unknown');
    const files = await hashFiles(await listBuildFiles(dir, false), { sri: new Set(), log: () => undefined });
    await expect(
      uploadMissing(target(), files, ['f'.repeat(40)], { root: dir, log: () => undefined }),
    ).rejects.toThrow(/does not have \(sha f{40}\)/);
    expect(vercel.uploads.files).toBe(0);
  });
});

describe('transferDetail', () => {
  it('says files and bytes done of the total, the rate, and the time left', () => {
    expect(transferDetail({ files: 250, bytes: 25e6 }, { files: 1000, bytes: 100e6 }, 0, 10_000)).toBe(
      '250 of 1000 files, 25.0 MB of 100.0 MB, 2.5 MB/s, about 30 s left',
    );
    expect(transferDetail({ files: 100, bytes: 5e6 }, { files: 400 }, 0, 5_000)).toBe(
      '100 of 400 files, 5.0 MB, 1.0 MB/s, about 15 s left',
    );
    expect(transferDetail({ files: 0, bytes: 0 }, { files: 10, bytes: 10 }, 0, 1000)).toBe(
      '0 of 10 files, 0.0 MB of 0.0 MB, 0.0 MB/s',
    );
  });
});
