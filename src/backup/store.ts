import type { StorageKind } from './location.js';

/**
 * Where backups live between jobs. db-migrate-backup writes one, and rollback (often on another runner,
 * in a later job of the same run) reads it back by the location string alone.
 */
export interface BackupStore {
  readonly kind: StorageKind;
  /** The location `put(id, …)` returns (see location.ts), known before the backup is stored. */
  locationFor(id: string): string;
  /** Stores every file under `dir` as backup `id`; returns the location that `get` accepts on another runner. */
  put(id: string, dir: string): Promise<{ location: string }>;
  /** Brings the files of the backup at `location` into `dir` (created if missing). */
  get(location: string, dir: string): Promise<void>;
}
