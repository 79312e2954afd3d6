import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../src/report/write-file.js';

let dir: string | undefined;

afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('writeReportFile', () => {
  it('creates missing folders and writes the content', async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'a', 'b', 'gate.sarif');
    await writeReportFile(path, '{"version":"2.1.0"}');
    expect(await readFile(path, 'utf8')).toBe('{"version":"2.1.0"}');
  });

  it('replaces an existing file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'gate.xml');
    await writeReportFile(path, 'first, and longer');
    await writeReportFile(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
  });
});
