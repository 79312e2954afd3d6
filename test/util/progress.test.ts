import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { folderBytes, megabytes, withProgress } from '../../src/util/progress.js';

describe('withProgress', () => {
  it('logs while the work runs, with its detail, and stops when it ends', async () => {
    const lines: string[] = [];
    let step = 0;
    const result = await withProgress(
      sleep(60).then(() => 'done'),
      {
        what: 'pg_dump',
        log: (m) => lines.push(m),
        everyMs: 10,
        detail: () => `${++step} parts`,
      },
    );
    expect(result).toBe('done');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^pg_dump: still running \(0 s; 1 parts\)$/);
    const after = lines.length;
    await sleep(40);
    expect(lines.length).toBe(after);
  });

  it('leaves out a detail that fails, and passes the work’s error on', async () => {
    const lines: string[] = [];
    const failing = sleep(30).then(() => {
      throw new Error('pg_dump failed');
    });
    await expect(
      withProgress(failing, {
        what: 'pg_dump',
        log: (m) => lines.push(m),
        everyMs: 10,
        detail: () => {
          throw new Error('folder gone');
        },
      }),
    ).rejects.toThrow('pg_dump failed');
    expect(lines[0]).toBe('pg_dump: still running (0 s)');
  });

  it('says nothing when the work ends before the first interval', async () => {
    const lines: string[] = [];
    await withProgress(Promise.resolve(1), { what: 'x', log: (m) => lines.push(m), everyMs: 1000 });
    expect(lines).toEqual([]);
  });
});

describe('folderBytes', () => {
  it('adds up the files of a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-progress-'));
    writeFileSync(join(dir, 'a'), Buffer.alloc(1500));
    writeFileSync(join(dir, 'b'), Buffer.alloc(2500));
    expect(await folderBytes(dir)).toBe(4000);
    expect(megabytes(4000)).toBe('0.0 MB');
    expect(megabytes(1_250_000)).toBe('1.3 MB');
  });
});
