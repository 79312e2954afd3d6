/**
 * The world an action test file runs its committed bundles in: the runs it started (cleaned after each
 * test), a real PostgreSQL, and for the rollback the Vercel and GitHub emulators and a webhook receiver,
 * all started once before the file's tests and stopped after them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { type ActionRun, RUN_DEFAULTS, runBundle } from '../../sandbox/runner/run-bundle.js';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import type { Encryption } from '../../src/backup/encryption.js';
import { PathStore } from '../../src/backup/path-store.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { parseDatabaseUrl } from '../../src/db/connection.js';

/** The list a test file pushes its runs to; each run's temp files are removed after its test. */
export function cleanedRuns(): ActionRun[] {
  const runs: ActionRun[] = [];
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((r) => r.cleanup()));
  });
  return runs;
}

/** A PostgreSQL cluster for the test file, handed to `use` once it is up. */
export function usePostgres(use: (pgc: PgCluster) => void): void {
  let pgc: PgCluster | undefined;
  beforeAll(async () => {
    pgc = await startPostgres();
    use(pgc);
  });
  afterAll(async () => {
    await pgc?.stop();
  });
}

export interface RollbackWorld {
  vercel: VercelEmulator;
  github: GitHubEmulator;
  hook: WebhookReceiver;
  pgc: PgCluster;
}

/** What the rollback reaches: Vercel and GitHub emulators, a webhook receiver and PostgreSQL. */
export function useRollbackWorld(use: (world: RollbackWorld) => void): void {
  let world: RollbackWorld | undefined;
  beforeAll(async () => {
    const [vercel, github, hook, pgc] = await Promise.all([
      startVercelEmulator({ queuedMs: 0, buildMs: 0 }),
      startGitHubEmulator(),
      startWebhookReceiver(),
      startPostgres(),
    ]);
    world = { vercel, github, hook, pgc };
    use(world);
  });
  afterAll(async () => {
    await Promise.all([world?.vercel.close(), world?.github.close(), world?.hook.close(), world?.pgc.stop()]);
  });
}

/** Two production deployments of project `name` with a healthy /health: v1, then v2 (live). */
export async function liveVersions(vercel: VercelEmulator, name: string) {
  const seed = () =>
    vercel.seedDeployment({ project: name, target: 'production', files: { health: '{"status":"ok"}' } });
  const v1 = await seed();
  const v2 = await seed();
  return { v1, v2 };
}

export interface Release {
  name: string;
  v1: { id: string };
  v2: { id: string };
  backup: { manifest: { id: string }; location: string };
}

/**
 * A failed release: project `name`'s v2 went live after v1; its database (made by `sql`) was backed up by
 * db-migrate-backup's own machinery before v2's migration (CREATE TABLE consents) ran.
 */
export async function seedFailedRelease(
  { vercel, pgc }: RollbackWorld,
  opts: { name: string; sql: string; encryption: Encryption; tempPrefix: string; expectLocation?: boolean },
) {
  const { name } = opts;
  const { v1, v2 } = await liveVersions(vercel, name);
  await pgc.createDatabase(name);
  await pgc.psql(opts.sql, name);
  const store = mkdtempSync(join(tmpdir(), `${opts.tempPrefix}-store-`));
  const backup = await takeBackup({
    target: parseDatabaseUrl('database-url', pgc.url(name)),
    tempDir: mkdtempSync(join(tmpdir(), `${opts.tempPrefix}-tmp-`)),
    repoRoot: mkdtempSync(join(tmpdir(), `${opts.tempPrefix}-repo-`)),
    id: `${name}-pre`,
    jobs: 1,
    compression: 1,
    verify: 'checksums',
    encryption: opts.encryption,
    store: new PathStore(store),
    ...(opts.expectLocation ? { expectedLocation: `path:${store}/${name}-pre` } : {}),
    run: { repository: RUN_DEFAULTS.repository, runId: '1', runAttempt: 1, sha: 'abc' },
    log: () => {},
  });
  await pgc.psql('CREATE TABLE consents (id int);', name); // v2's migration
  return { name, v1, v2, backup };
}

/**
 * Runs the rollback's committed bundle for a failed release with the inputs a workflow after
 * db-migrate-backup and vercel-deploy gives it, `inputs` on top.
 */
export function runRollbackBundle(
  world: RollbackWorld,
  r: Release,
  opts: {
    key: string;
    reason: string;
    runId: string;
    runAttempt?: number;
    inputs: Record<string, string>;
    /** Kills the bundle's process tree when it fires (a runner dying mid-step). */
    kill?: AbortSignal;
  },
): Promise<ActionRun> {
  const { vercel, github, hook, pgc } = world;
  return runBundle({
    action: 'actions/rollback/dist/index.js',
    inputs: {
      'vercel-token': vercel.token,
      'vercel-project': r.name,
      'vercel-team': vercel.teamId,
      'api-url': vercel.apiUrl,
      'previous-deployment-id': r.v1.id,
      'failed-deployment-id': r.v2.id,
      'database-url': pgc.url(r.name),
      'backup-id': r.backup.manifest.id,
      'backup-location': r.backup.location,
      'encryption-key': opts.key,
      'migrations-applied': '["20260301000000"]',
      'github-token': github.token,
      'notify-webhook': hook.url('/slack'),
      'verify-url': vercel.productionUrl(r.name),
      reason: opts.reason,
      ...opts.inputs,
    },
    env: { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl },
    runId: opts.runId,
    ...(opts.runAttempt === undefined ? {} : { runAttempt: opts.runAttempt }),
    stepId: 'rollback',
    timeoutMs: 120_000,
    ...(opts.kill ? { kill: opts.kill } : {}),
  });
}
