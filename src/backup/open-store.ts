import { dirname, resolve } from 'node:path';
import type { BackupLocation } from './location.js';
import { PathStore } from './path-store.js';
import type { BackupStore } from './store.js';

export type StoreConfig =
  | { kind: 'path'; root: string }
  | { kind: 'artifact'; retentionDays?: number | undefined; token?: string | undefined };

/** The one place a store is chosen: db-migrate-backup writes with it, rollback reads and writes beside. */
export async function openStore(config: StoreConfig): Promise<BackupStore> {
  if (config.kind === 'path') return new PathStore(resolve(config.root));
  // @actions/artifact loads only when artifacts are used: it costs more than the rest of the start.
  const { ArtifactStore } = await import('./artifact-store.js');
  return new ArtifactStore({
    ...(config.retentionDays ? { retentionDays: config.retentionDays } : {}),
    // The token reads a backup that another run stored (a manual rollback of an earlier playbook run).
    ...(config.token ? { token: config.token } : {}),
  });
}

/** A store that reads `location` and puts new backups beside it (the rollback's safety backup). */
export function storeBeside(location: BackupLocation, token: string | undefined): StoreConfig {
  return location.kind === 'path'
    ? { kind: 'path', root: dirname(location.dir) }
    : { kind: 'artifact', token };
}
