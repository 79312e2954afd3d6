/**
 * ArtifactStore through the real @actions/artifact client against the emulated results service.
 * Each store gets the environment of one job; the library is imported after GITHUB_API_URL points
 * at the emulator, since @actions/github reads it at import.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArtifactService, startArtifactService } from '../../sandbox/artifact/service.js';
import {
  ArtifactNameError,
  artifactName,
  formatArtifactLocation,
  isArtifactLocation,
  parseArtifactLocation,
} from '../../src/backup/artifact-name.js';
import type { ArtifactStoreOptions } from '../../src/backup/artifact-store.js';

type StoreModule = typeof import('../../src/backup/artifact-store.js');

let service: ArtifactService;
let mod: StoreModule;
let work: string;
const RUN = 777;
const BACKUP: Record<string, Buffer> = {
  'app.dump.age': randomBytes(3 * 1024 * 1024 + 17),
  'app.dump.sha256': Buffer.from('e3b0c442  app.dump\n'),
  'meta/manifest.json': Buffer.from('{"database":"app"}'),
};
let source: string;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function store(runId: number, job: string, options: ArtifactStoreOptions & { attempt?: number } = {}) {
  const { attempt, ...rest } = options;
  const env = { ...service.env(runId, job, { attempt }), GITHUB_REPOSITORY: service.repository };
  return new mod.ArtifactStore({ env, ...rest });
}

async function expectBackupIn(dir: string): Promise<void> {
  for (const [file, bytes] of Object.entries(BACKUP)) {
    expect(sha(await readFile(join(dir, file))), file).toBe(sha(bytes));
  }
}

const target = () => mkdtemp(join(work, 'get-'));

beforeAll(async () => {
  service = await startArtifactService();
  process.env.GITHUB_API_URL = service.url;
  mod = await import('../../src/backup/artifact-store.js');
  work = await mkdtemp(join(tmpdir(), 'artifact-store-'));
  source = join(work, 'backup');
  for (const [file, bytes] of Object.entries(BACKUP)) {
    await mkdir(dirname(join(source, file)), { recursive: true });
    await writeFile(join(source, file), bytes);
  }
});

afterAll(async () => {
  await service?.close();
  await rm(work, { recursive: true, force: true });
});

describe('ArtifactStore', () => {
  it('puts a backup folder as one artifact and gets it back on another job of the run', async () => {
    const db = store(RUN, 'db', { retentionDays: 7 });
    expect(db.kind).toBe('artifact');
    const stored = await db.put('pre-deploy', source);
    expect(stored.location).toBe(`artifact:${RUN}/pre-deploy`);
    const [artifact] = service.artifacts({ runId: RUN, name: 'pre-deploy' });
    expect(artifact).toMatchObject({ finalized: true, id: stored.artifactId, size: stored.size });
    expect(artifact?.digest).toBe(stored.digest);
    expect(stored.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const days = ((artifact?.expiresAt.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const dir = join(await target(), 'not-yet-there');
    await store(RUN, 'rollback').get(stored.location, dir);
    await expectBackupIn(dir);
    expect((await readdir(dir)).sort()).toEqual(['app.dump.age', 'app.dump.sha256', 'meta']);
  });

  it('stores the zip uncompressed by default (backups arrive compressed and encrypted)', async () => {
    const { artifactId } = await store(RUN, 'db').put('stored-plain', source);
    const zip = service.blob(artifactId ?? 0) ?? Buffer.alloc(0);
    // Stored entries hold the file bytes verbatim: the random dump appears whole inside the zip.
    expect(zip.includes(BACKUP['app.dump.age'] ?? Buffer.alloc(1))).toBe(true);
    const { artifactId: packed } = await store(RUN, 'db', { compressionLevel: 9 }).put('packed', source);
    expect(service.blob(packed ?? 0)?.includes(BACKUP['app.dump.age'] ?? Buffer.alloc(1))).toBe(false);
  });

  it('sanitises the backup id into an artifact name the location carries', async () => {
    const { location } = await store(RUN, 'db').put(' app: 2024-05-01T10:00 <pre>/deploy ', source);
    expect(location).toBe(`artifact:${RUN}/app- 2024-05-01T10-00 -pre--deploy`);
    const dir = await target();
    await store(RUN, 'rollback').get(location, dir);
    await expectBackupIn(dir);
  });

  it('names the artifact and the run when the backup does not exist', async () => {
    const err = await store(RUN, 'rollback')
      .get(`artifact:${RUN}/never-stored`, await target())
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(mod.ArtifactStoreError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^No artifact named "never-stored" in workflow run ${RUN}\\. It may have expired .*actions: read`,
      ),
    );
  });

  it("refuses another run's backup without a token, and reads it with one", async () => {
    const { location } = await store(RUN, 'db').put('cross-run', source);
    const later = RUN + 1;
    await expect(store(later, 'rollback').get(location, await target())).rejects.toThrow(
      `Backup ${location} was stored by workflow run ${RUN}, and this is run ${later}: reading another run's artifacts needs a token with actions: read`,
    );
    const dir = await target();
    await store(later, 'rollback', { token: service.githubToken }).get(location, dir);
    await expectBackupIn(dir);
  });

  it('reads a backup of an earlier attempt through the API when given a token', async () => {
    const { location } = await store(RUN, 'db').put('attempt-one', source);
    const retry = store(RUN, 'rollback', { attempt: 2 });
    await expect(retry.get(location, await target())).rejects.toThrow(
      /No artifact named "attempt-one" in workflow run 777\. .*earlier attempt than this one \(2\)/,
    );
    const dir = await target();
    await store(RUN, 'rollback', { attempt: 2, token: service.githubToken }).get(location, dir);
    await expectBackupIn(dir);
  });

  it('refuses to store a second backup under the same id unless told to overwrite', async () => {
    const db = store(RUN, 'db');
    await db.put('twice', source);
    await expect(db.put('twice', source)).rejects.toThrow(
      /^Could not store backup "twice" as artifact "twice": an artifact named "twice" already exists in this run attempt/,
    );
    const other = join(work, 'other-backup');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'only.txt'), 'replacement');
    const { location } = await store(RUN, 'db', { overwrite: true }).put('twice', other);
    expect(service.artifacts({ runId: RUN, name: 'twice' })).toHaveLength(1);
    const dir = await target();
    await store(RUN, 'rollback').get(location, dir);
    expect(await readdir(dir)).toEqual(['only.txt']);
  });

  it('fails when the downloaded zip does not match the digest recorded at upload', async () => {
    const { location, artifactId } = await store(RUN, 'db').put('corrupted', source);
    const zip = service.blob(artifactId ?? 0) ?? Buffer.alloc(0);
    // Bytes after the end of the zip: it still extracts, but its digest changes.
    service.corruptBlob(artifactId ?? 0, Buffer.concat([zip, Buffer.from('tampered')]));
    const dir = await target();
    await expect(store(RUN, 'rollback').get(location, dir)).rejects.toThrow(
      new RegExp(
        `^Backup ${location} is corrupt: the downloaded zip of artifact "corrupted" \\(id \\d+\\) does not match the digest recorded at upload, sha256:`,
      ),
    );
    // Nothing of the corrupt copy is left where a restore would look.
    expect(await readdir(dir)).toEqual([]);
  });

  it('says what is missing outside a JavaScript action, before touching anything', async () => {
    const bare = new mod.ArtifactStore({ env: { GITHUB_RUN_ID: String(RUN) } });
    const before = service.requests.length;
    await expect(bare.put('x', source)).rejects.toThrow(
      'Cannot store backup "x" as a GitHub Actions artifact: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL unset. The runner gives',
    );
    await expect(bare.get(`artifact:${RUN}/x`, await target())).rejects.toThrow(
      /ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL unset/,
    );
    expect(service.requests.length).toBe(before);
  });

  it('refuses an empty or missing backup folder and bad options', async () => {
    const empty = await mkdtemp(join(work, 'empty-'));
    await expect(store(RUN, 'db').put('empty', empty)).rejects.toThrow(
      `Backup folder ${empty} holds no files to store`,
    );
    await expect(store(RUN, 'db').put('gone', join(work, 'nope'))).rejects.toThrow(
      /Backup folder .*nope cannot be read/,
    );
    expect(() => new mod.ArtifactStore({ retentionDays: 91 })).toThrow(
      'retentionDays must be a whole number from 1 to 90, not 91',
    );
    expect(() => new mod.ArtifactStore({ compressionLevel: 1.5 })).toThrow(/compressionLevel must be/);
  });

  it('turns a blob storage failure into a message that names the backup and the HTTP status', async () => {
    service.faults.failNext(1, { on: 'block', status: 502 });
    await expect(store(RUN, 'db').put('broken', source)).rejects.toThrow(
      'Could not store backup "broken" as artifact "broken": blob storage answered HTTP 502: The server encountered an internal error.',
    );
  });
});

describe('artifact names and locations', () => {
  it('replaces the characters GitHub forbids and trims blanks and dots at the ends', () => {
    expect(artifactName('db/app:2024-05-01')).toBe('db-app-2024-05-01');
    expect(artifactName('a"b<c>d|e*f?g\\h')).toBe('a-b-c-d-e-f-g-h');
    expect(artifactName('line\nbreak\ttab')).toBe('line-break-tab');
    expect(artifactName('  ..backup..  ')).toBe('backup');
    expect(artifactName('keep_this-1.2')).toBe('keep_this-1.2');
  });

  it('refuses ids that leave nothing or too much', () => {
    expect(() => artifactName(' ... ')).toThrow(ArtifactNameError);
    expect(() => artifactName('')).toThrow(/leaves no usable artifact name/);
    expect(() => artifactName('x'.repeat(256))).toThrow(
      /gives an artifact name of 256 characters; at most 255/,
    );
    expect(artifactName('x'.repeat(255))).toHaveLength(255);
  });

  it('formats and parses locations with and without a run id', () => {
    expect(formatArtifactLocation({ runId: '12', name: 'b' })).toBe('artifact:12/b');
    expect(parseArtifactLocation('artifact:12/b')).toEqual({ runId: '12', name: 'b' });
    expect(parseArtifactLocation('artifact:b')).toEqual({ name: 'b' });
    expect([isArtifactLocation('artifact:12/b'), isArtifactLocation('/runner/backups/b')]).toEqual([
      true,
      false,
    ]);
    for (const bad of ['b', 'path:/tmp/b', 'artifact:', 'artifact:12/', 'artifact:x/y', 'artifact:1/a:b']) {
      expect(() => parseArtifactLocation(bad), bad).toThrow(/is not an artifact backup location/);
    }
  });
});
