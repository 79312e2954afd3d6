import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatBackupLocation, locationOf, parseBackupLocation } from './location.js';
import type { BackupStore } from './store.js';

/** Backups as folders under one directory: for self-hosted runners and volumes several runners mount. */
export class PathStore implements BackupStore {
  readonly kind = 'path' as const;
  constructor(private readonly root: string) {}

  locationFor(id: string): string {
    return formatBackupLocation(locationOf(id, { kind: 'path', root: resolve(this.root) }));
  }

  async put(id: string, dir: string): Promise<{ location: string }> {
    const location = this.locationFor(id);
    const target = resolve(this.root, id);
    // Written under a temporary name and renamed, so a reader never sees half a backup.
    const partial = `${target}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true });
    await cp(dir, partial, { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    return { location };
  }

  async get(location: string, dir: string): Promise<void> {
    const parsed = parseBackupLocation(location);
    if (parsed.kind !== 'path') throw new Error(`"${location}" is not a path backup location (path:/…)`);
    if (!existsSync(parsed.dir))
      throw new Error(`no backup at ${parsed.dir}: was it written on a volume this runner mounts?`);
    await mkdir(dir, { recursive: true });
    await cp(parsed.dir, dir, { recursive: true });
  }
}
