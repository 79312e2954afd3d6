/**
 * Downloading one artifact by name through @actions/artifact: from the job's own run attempt with the
 * runner's credentials, or from any run of the repository with `findBy` (a token with actions: read, over
 * GitHub's REST endpoints: the run's artifacts by name, then the zip's signed URL). The zip is checked
 * against the digest GitHub recorded at upload and extracted into a staging folder first, so a corrupt
 * or interrupted download never leaves files in the target folder.
 */
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactClient, FindOptions } from '@actions/artifact';

export interface DownloadedArtifact {
  id: number;
  name: string;
  size: number | undefined;
  /** `sha256:<hex>` of the zip as GitHub recorded it at upload; absent for artifacts of older uploaders. */
  digest: string | undefined;
}

/** The downloaded zip is not the one uploaded (storage corruption, a swapped blob). */
export class ArtifactDigestError extends Error {
  override readonly name = 'ArtifactDigestError';
}

export async function downloadArtifactInto(
  client: ArtifactClient,
  name: string,
  dir: string,
  find: FindOptions = {},
): Promise<DownloadedArtifact> {
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, '.artifact-download-'));
  try {
    const { artifact } = await client.getArtifact(name, find);
    const { digestMismatch } = await client.downloadArtifact(artifact.id, {
      ...find,
      path: staging,
      expectedHash: artifact.digest,
    });
    if (digestMismatch) {
      throw new ArtifactDigestError(
        `the downloaded zip of artifact "${name}" (id ${artifact.id}) does not match the digest recorded at upload, ${artifact.digest}`,
      );
    }
    for (const entry of await readdir(staging)) {
      await rm(join(dir, entry), { recursive: true, force: true });
      await rename(join(staging, entry), join(dir, entry));
    }
    return { id: artifact.id, name: artifact.name, size: artifact.size, digest: artifact.digest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
