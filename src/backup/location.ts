import { isAbsolute, join, normalize } from 'node:path';
import {
  type ArtifactLocation,
  ArtifactNameError,
  artifactName,
  formatArtifactLocation,
  isArtifactLocation,
  parseArtifactLocation,
} from './artifact-name.js';

/**
 * Where a backup is, as the one string db-migrate-backup outputs and rollback takes: `path:<dir>` (a
 * folder on a volume both runners mount) or `artifact:<run id>/<name>` (a GitHub Actions artifact).
 */
export type BackupLocation = { kind: 'path'; dir: string } | ({ kind: 'artifact' } & ArtifactLocation);
export type StorageKind = BackupLocation['kind'];
export const STORAGE_KINDS: readonly StorageKind[] = ['artifact', 'path'];

const PATH_PREFIX = 'path:';

export class BackupLocationError extends Error {
  override readonly name = 'BackupLocationError';
}

export function formatBackupLocation(location: BackupLocation): string {
  return location.kind === 'path' ? `${PATH_PREFIX}${location.dir}` : formatArtifactLocation(location);
}

export function parseBackupLocation(text: string): BackupLocation {
  const value = text.trim();
  if (value.startsWith(PATH_PREFIX)) {
    const dir = value.slice(PATH_PREFIX.length).replace(/\/+$/, '');
    // Relative to what? The rollback runs in another job, often on another runner: only absolute holds.
    if (!isAbsolute(dir) || normalize(dir) !== dir)
      throw new BackupLocationError(
        `"${value}" is not a path backup location; expected path:/<absolute folder of the backup>`,
      );
    return { kind: 'path', dir };
  }
  if (isArtifactLocation(value)) {
    try {
      return { kind: 'artifact', ...parseArtifactLocation(value) };
    } catch (err) {
      if (err instanceof ArtifactNameError) throw new BackupLocationError(err.message);
      throw err;
    }
  }
  throw new BackupLocationError(
    `"${value}" is not a backup location; expected path:/<dir> or artifact:<run id>/<name>`,
  );
}

/** The location backup `id` gets in a store: a folder under `root`, or an artifact of run `runId`. */
export function locationOf(
  id: string,
  store: { kind: 'path'; root: string } | { kind: 'artifact'; runId: string | undefined },
): BackupLocation {
  return store.kind === 'path'
    ? { kind: 'path', dir: join(store.root, id) }
    : { kind: 'artifact', ...(store.runId ? { runId: store.runId } : {}), name: artifactName(id) };
}
