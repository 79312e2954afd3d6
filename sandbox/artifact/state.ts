/** What the emulated service holds: runs, artifacts and their blobs, all in memory. */
import { createHash } from 'node:crypto';

export interface RunRecord {
  /** GitHub's run id (github.run_id). */
  runId: number;
  attempt: number;
  runBackendId: string;
}

export interface BlobRecord {
  /** Staged, not yet committed blocks, by base64 block id. */
  blocks: Map<string, Buffer>;
  data?: Buffer;
  contentType?: string;
  etag?: string;
  lastModified?: Date;
}

export interface ArtifactRecord {
  id: number;
  name: string;
  run: RunRecord;
  jobBackendId: string;
  createdAt: Date;
  expiresAt: Date;
  blobPath: string;
  finalized: boolean;
  size?: number;
  /** `sha256:<hex>` of the committed zip, set at finalize. */
  digest?: string;
}

/** What `artifacts()` shows a test. */
export interface ArtifactInfo {
  id: number;
  name: string;
  runId: number;
  attempt: number;
  runBackendId: string;
  jobBackendId: string;
  finalized: boolean;
  size?: number;
  digest?: string;
  createdAt: Date;
  expiresAt: Date;
}

export class ArtifactState {
  readonly runs = new Map<string, RunRecord>();
  readonly artifacts = new Map<number, ArtifactRecord>();
  readonly blobs = new Map<string, BlobRecord>();
  #nextId = 1;

  nextId(): number {
    return this.#nextId++;
  }

  /** Finalized or pending artifacts of one run attempt with this name. */
  byName(runBackendId: string, name: string): ArtifactRecord[] {
    return [...this.artifacts.values()].filter((a) => a.run.runBackendId === runBackendId && a.name === name);
  }

  remove(artifact: ArtifactRecord): void {
    this.artifacts.delete(artifact.id);
    this.blobs.delete(artifact.blobPath);
  }

  info(a: ArtifactRecord): ArtifactInfo {
    const { id, name, run, jobBackendId, finalized, size, digest, createdAt, expiresAt } = a;
    return {
      id,
      name,
      runId: run.runId,
      attempt: run.attempt,
      runBackendId: run.runBackendId,
      jobBackendId,
      finalized,
      size,
      digest,
      createdAt,
      expiresAt,
    };
  }
}

export const sha256Digest = (data: Buffer): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;
