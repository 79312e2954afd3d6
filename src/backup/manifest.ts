import { readFile } from 'node:fs/promises';
import { validateBackupManifest } from '../policy/generated/validators/validateBackupManifest.js';
import type { FileSum } from './checksums.js';

export const MANIFEST_FILE = 'manifest.json';

export interface BackupManifest {
  version: 1;
  id: string;
  createdAt: string;
  finishedAt: string;
  database: { name: string; host: string; serverVersion: string; sizeBytes: number };
  tool: { pgDump: string; clientMajor: number };
  dump: { format: 'directory'; jobs: number; compression: number; bytes: number; durationMs: number };
  files: FileSum[];
  storedFiles?: FileSum[];
  sha256: string;
  rowCounts: Record<string, number>;
  /** pg_current_snapshot() of the dump's transaction (xmin:xmax:xip,...); absent in older backups. */
  xidSnapshot?: string;
  migrations: { tool: string; applied: string[] }[];
  encryption: { kind: 'recipients' | 'passphrase' | 'none'; recipients?: string[] };
  storage: { kind: 'path' | 'artifact'; location: string };
  run: { repository: string; runId: string; runAttempt: number; sha: string; job?: string };
  verified: boolean;
  verification: { ok: boolean; checksums: boolean; tocEntries: number; restore: 'skipped' | 'matched' };
}

/** A manifest read back (by a rollback, often on another runner) is checked against its schema first. */
export async function readManifest(path: string): Promise<BackupManifest> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`the backup manifest ${path} cannot be read: ${(err as Error).message}`);
  }
  if (!validateBackupManifest(data)) {
    const e = validateBackupManifest.errors?.[0];
    throw new Error(
      `the backup manifest ${path} does not match policies/backup-manifest.schema.json: ${e?.instancePath || '/'} ${e?.message ?? ''}`,
    );
  }
  return data as BackupManifest;
}
