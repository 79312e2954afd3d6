import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackupStore } from './store.js';

const PREFIX = 'path:';

/** Backups as folders under one directory: for self-hosted runners and volumes several runners mount. */
export class PathStore implements BackupStore {
  readonly kind = 'path' as const;
  constructor(private readonly root: string) {}

  async put(id: string, dir: string): Promise<{ location: string }> {
    const target = join(resolve(this.root), id);
    // Written under a temporary name and renamed, so a reader never sees half a backup.
    const partial = `${target}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true });
    await cp(dir, partial, { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    return { location: `${PREFIX}${target}` };
  }

  async get(location: string, dir: string): Promise<void> {
    if (!location.startsWith(PREFIX))
      throw new Error(`"${location}" is not a path backup location (path:/…)`);
    const source = location.slice(PREFIX.length);
    if (!existsSync(source))
      throw new Error(`no backup at ${source}: was it written on a volume this runner mounts?`);
    await mkdir(dir, { recursive: true });
    await cp(source, dir, { recursive: true });
  }
}

export function isPathLocation(location: string): boolean {
  return location.startsWith(PREFIX);
}
