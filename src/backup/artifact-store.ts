/**
 * Backups kept as GitHub Actions artifacts, through @actions/artifact. Jobs of the same run read
 * them with the runner's own credentials (ACTIONS_RUNTIME_TOKEN); another run, or a re-run attempt
 * (the internal service only sees the current attempt's artifacts), needs a token with actions: read.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DefaultArtifactClient, type FindOptions } from '@actions/artifact';
import { errorMessage } from '../errors.js';
import { ArtifactDigestError, downloadArtifactInto } from '../github/run-artifact.js';
import { artifactName, parseArtifactLocation } from './artifact-name.js';
import { type Env, withLibraryEnv } from './library-env.js';
import { formatBackupLocation, locationOf } from './location.js';
import type { BackupStore } from './store.js';

export interface ArtifactStoreOptions {
  /** Days GitHub keeps the artifact, 1–90 (the repository's limit caps it); unset: the repository default. */
  retentionDays?: number;
  /** zlib level 0–9 of the artifact zip. Default 0: backups arrive compressed and encrypted already. */
  compressionLevel?: number;
  /** Token with actions: read, for backups of another run or an earlier attempt of this one. */
  token?: string;
  /** Replace an artifact of the same name in this run attempt instead of failing (artifacts are immutable). */
  overwrite?: boolean;
  /** The runner's environment; default process.env. */
  env?: Env;
}

export interface StoredArtifact {
  location: string;
  artifactId?: number;
  size?: number;
  digest?: string;
}

export class ArtifactStoreError extends Error {
  override readonly name = 'ArtifactStoreError';
}

const RUNTIME_HINT =
  'The runner gives ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL to JavaScript actions (`uses:` steps) only, ' +
  'not to `run:` scripts; on GitHub Enterprise Server use a path store instead.';

export class ArtifactStore implements BackupStore {
  readonly kind = 'artifact' as const;
  readonly #client = new DefaultArtifactClient();
  readonly #options: ArtifactStoreOptions;
  readonly #env: Env;

  constructor(options: ArtifactStoreOptions = {}) {
    const { retentionDays, compressionLevel } = options;
    if (
      retentionDays !== undefined &&
      !(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 90)
    )
      throw new ArtifactStoreError(`retentionDays must be a whole number from 1 to 90, not ${retentionDays}`);
    if (
      compressionLevel !== undefined &&
      !(Number.isInteger(compressionLevel) && compressionLevel >= 0 && compressionLevel <= 9)
    )
      throw new ArtifactStoreError(
        `compressionLevel must be a whole number from 0 to 9, not ${compressionLevel}`,
      );
    this.#options = options;
    this.#env = options.env ?? process.env;
  }

  locationFor(id: string): string {
    return formatBackupLocation(locationOf(id, { kind: 'artifact', runId: this.#env.GITHUB_RUN_ID }));
  }

  async put(id: string, dir: string): Promise<StoredArtifact> {
    const name = artifactName(id);
    const root = resolve(dir);
    const files = await listFiles(root);
    this.#requireRuntime(`store backup "${id}"`);
    return withLibraryEnv(this.#env, async () => {
      if (this.#options.overwrite) await this.#deleteIfPresent(name);
      try {
        const uploaded = await this.#client.uploadArtifact(name, files, root, {
          retentionDays: this.#options.retentionDays,
          compressionLevel: this.#options.compressionLevel ?? 0,
        });
        const location = this.locationFor(id);
        const digest = uploaded.digest ? `sha256:${uploaded.digest}` : undefined;
        return { location, artifactId: uploaded.id, size: uploaded.size, digest };
      } catch (err) {
        throw new ArtifactStoreError(
          `Could not store backup "${id}" as artifact "${name}": ${explain(err, name)}`,
        );
      }
    });
  }

  async get(location: string, dir: string): Promise<void> {
    const { runId } = parseArtifactLocation(location);
    const here = this.#env.GITHUB_RUN_ID;
    const { token } = this.#options;
    await mkdir(dir, { recursive: true });
    if (runId === undefined || runId === here) {
      if (!token) this.#requireRuntime(`read backup ${location}`);
      if (this.#env.ACTIONS_RUNTIME_TOKEN && this.#env.ACTIONS_RESULTS_URL) {
        try {
          return await withLibraryEnv(this.#env, () => this.#download(location, dir));
        } catch (err) {
          if (!token || !isNotFound(err)) throw this.#readError(location, err, runId ?? here);
        }
      }
    } else if (!token) {
      throw new ArtifactStoreError(
        `Backup ${location} was stored by workflow run ${runId}, and this is run ${here ?? '(unknown)'}: ` +
          "reading another run's artifacts needs a token with actions: read (pass github-token).",
      );
    }
    const findBy = this.#findBy(token ?? '', runId ?? here);
    try {
      await withLibraryEnv(this.#env, () => this.#download(location, dir, findBy));
    } catch (err) {
      throw this.#readError(
        location,
        err,
        `${findBy.findBy?.workflowRunId} of ${this.#env.GITHUB_REPOSITORY}`,
      );
    }
  }

  /** Extracts into a staging folder first, so a corrupt download never leaves files in `dir`. */
  async #download(location: string, dir: string, find: FindOptions = {}): Promise<void> {
    const { name } = parseArtifactLocation(location);
    try {
      await downloadArtifactInto(this.#client, name, dir, find);
    } catch (err) {
      if (err instanceof ArtifactDigestError)
        throw new ArtifactStoreError(`Backup ${location} is corrupt: ${err.message}`);
      throw err;
    }
  }

  async #deleteIfPresent(name: string): Promise<void> {
    try {
      await this.#client.getArtifact(name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await this.#client.deleteArtifact(name);
  }

  #findBy(token: string, runId: string | undefined): FindOptions {
    const [owner, repo] = (this.#env.GITHUB_REPOSITORY ?? '').split('/');
    const workflowRunId = Number(runId);
    if (!owner || !repo || !Number.isSafeInteger(workflowRunId)) {
      throw new ArtifactStoreError(
        `Reading a backup through the GitHub API needs GITHUB_REPOSITORY (owner/name) and a numeric run id; ` +
          `got "${this.#env.GITHUB_REPOSITORY ?? ''}" and "${runId ?? ''}"`,
      );
    }
    return { findBy: { token, workflowRunId, repositoryOwner: owner, repositoryName: repo } };
  }

  #requireRuntime(what: string): void {
    const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((key) => !this.#env[key]);
    if (missing.length > 0) {
      throw new ArtifactStoreError(
        `Cannot ${what} as a GitHub Actions artifact: ${missing.join(' and ')} unset. ${RUNTIME_HINT}`,
      );
    }
  }

  #readError(location: string, err: unknown, where: string | undefined): ArtifactStoreError {
    if (err instanceof ArtifactStoreError) return err;
    const { name } = parseArtifactLocation(location);
    if (isNotFound(err)) {
      const attempt = this.#env.GITHUB_RUN_ATTEMPT ?? '1';
      const hint = this.#options.token
        ? 'It may have expired (retention-days) or been deleted.'
        : `It may have expired (retention-days), been deleted, or been stored by an earlier attempt than this one (${attempt}): ` +
          'earlier attempts can only be read with a token that has actions: read (pass github-token).';
      return new ArtifactStoreError(
        `No artifact named "${name}" in workflow run ${where ?? '(unknown)'}. ${hint}`,
      );
    }
    return new ArtifactStoreError(`Could not read backup ${location}: ${explain(err, name)}`);
  }
}

/** Every file under root (symlinks included: the library follows them), absolute paths. */
async function listFiles(root: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    throw new ArtifactStoreError(`Backup folder ${root} cannot be read: ${errorMessage(err)}`);
  }
  const files = entries
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) throw new ArtifactStoreError(`Backup folder ${root} holds no files to store`);
  return files;
}

function isNotFound(err: unknown): boolean {
  return (err instanceof Error && err.name === 'ArtifactNotFoundError') || /\(404\)/.test(errorMessage(err));
}

/** The library's messages name HTTP codes and retries; say what they mean for a backup. */
function explain(err: unknown, name: string): string {
  const status = err instanceof Error ? (err as Error & { statusCode?: unknown }).statusCode : undefined;
  // Blob storage errors (RestError) carry a request id and time after the first line.
  const message =
    typeof status === 'number'
      ? `blob storage answered HTTP ${status}: ${errorMessage(err).split('\n')[0]}`
      : errorMessage(err);
  if (err instanceof Error && err.name === 'GHESNotSupportedError')
    return `${message} Use a path store on GHES.`;
  if (/\(409\)/.test(message)) {
    return (
      `an artifact named "${name}" already exists in this run attempt, and artifacts cannot be changed. ` +
      `Use a new backup id, or overwrite it (${message})`
    );
  }
  if (/\(40[13]\)/.test(message)) return `the artifact service refused the runner's credentials (${message})`;
  if (/after \d+ attempts|retries/.test(message)) return `the artifact service kept failing: ${message}`;
  return message;
}
