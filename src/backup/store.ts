/**
 * Where backups live between jobs. db-migrate-backup writes one, and rollback (often on another runner,
 * in a later job of the same run) reads it back by the location string alone.
 */
export interface BackupStore {
  readonly kind: 'artifact' | 'path';
  /** Stores every file under `dir` as backup `id`; returns the location that `get` accepts on another runner. */
  put(id: string, dir: string): Promise<{ location: string }>;
  /** Brings the files of the backup at `location` into `dir` (created if missing). */
  get(location: string, dir: string): Promise<void>;
}
