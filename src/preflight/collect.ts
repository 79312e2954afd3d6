import { join } from 'node:path';
import type { RunContext } from '../runner/runner.js';
import { fetchDrillManifests } from './collectors/backup-drills.js';
import { judgeManifests, parseManifests, readManifest } from './collectors/backups.js';
import { collectChange } from './collectors/change.js';
import { collectCoverage } from './collectors/coverage.js';
import { collectEndpoints } from './collectors/endpoints.js';
import { collectEnvironment } from './collectors/environment.js';
import { collectIncidents } from './collectors/incidents.js';
import { type FetchedReports, fetchReports, notInArtifact } from './collectors/reports.js';
import { collectReview } from './collectors/review.js';
import { collectSecurity } from './collectors/security.js';
import { collectTls } from './collectors/tls.js';
import { collectVercelEnv } from './collectors/vercel-env.js';
import { expandGlobs, type PreflightInputs, type ReportsInputs } from './inputs.js';

export type PreflightFacts = Record<string, unknown> & { change: ReturnType<typeof collectChange> };

/** A collector that could not run (an API down, a token refused) is recorded, not fatal: the policy judges it. */
export interface CollectorError {
  collector: string;
  message: string;
}

async function attempt<T>(
  collector: string,
  errors: CollectorError[],
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    // Bad input was caught before any collector started; anything thrown here is the world's doing.
    errors.push({ collector, message: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

/** Runs every enabled collector at the same time and assembles one facts document. */
export async function collectPreflightFacts(
  inputs: PreflightInputs,
  ctx: RunContext,
  now: Date,
): Promise<{ facts: PreflightFacts; errors: CollectorError[] }> {
  const errors: CollectorError[] = [];
  const probeSettings = {
    timeoutMs: inputs.timeoutMs,
    retries: inputs.retries,
    backoffMs: 250,
    expectStatus: inputs.expectStatus,
    concurrency: 32,
  };
  const healthSettings = { ...probeSettings, body: inputs.endpointBody };
  const monitoringSettings = { ...probeSettings, body: [] };
  // The heavy clients load first: loading @vercel/sdk blocks the event loop for a second or more, and a
  // probe in flight meanwhile would report that as the endpoint's latency.
  // pg loads only when a database is asked about: it costs more than the rest of the start.
  const [, , databaseCollector] = await Promise.all([
    inputs.vercel ? import('@vercel/sdk/funcs/projectsFilterProjectEnvs.js') : undefined,
    inputs.githubToken ? import('@actions/github') : undefined,
    inputs.database ? import('./collectors/database.js') : undefined,
  ]);
  const { vercel, githubToken, environment: environmentName } = inputs;
  const manifest = inputs.backupManifest;
  const drills =
    inputs.backupDrills && githubToken ? { workflow: inputs.backupDrills, token: githubToken } : undefined;
  // A manifest file in the workspace is input: unreadable or not JSON, it stops the step before any probe.
  const localManifest =
    manifest && !manifest.remote ? await readManifest(manifest, inputs.timeoutMs) : undefined;
  if (localManifest) parseManifests(localManifest);
  // The drills' runs and the backup-manifest are one history: the newest verified backup and the newest
  // restore test over both. A URL or a drill run that cannot be read is a collector error (no backup facts).
  const collectManifest =
    (manifest || drills) &&
    (async () =>
      judgeManifests(
        (
          await Promise.all([
            localManifest
              ? [localManifest]
              : manifest
                ? readManifest(manifest, inputs.timeoutMs).then((m) => [m])
                : [],
            drills ? fetchDrillManifests(drills.workflow, ctx, drills.token, inputs.timeoutMs) : [],
          ])
        ).flat(),
        now,
      ));
  // Coverage and SARIF read inside the artifact of the commit's CI run once it is downloaded; anything
  // missing there is a collector error (the fact is then missing and fails its rule).
  const fromCi =
    inputs.reports && githubToken
      ? attempt('reports', errors, () =>
          fetchReports(inputs.reports as ReportsInputs, ctx, githubToken, inputs.timeoutMs),
        )
      : undefined;
  const inArtifact = async <T>(collector: string, read: (got: FetchedReports) => Promise<T>) => {
    const got = await fromCi;
    return got && attempt(collector, errors, () => read(got));
  };
  const ciCoverage = inputs.reports?.coverage;
  const ciSarif = inputs.reports?.sarif ?? [];
  const incidentsSource = inputs.incidents;
  const [
    endpoints,
    monitoring,
    tls,
    database,
    coverage,
    security,
    review,
    vercelEnv,
    backups,
    environment,
    incidents,
  ] = await Promise.all([
    inputs.endpoints.length ? collectEndpoints(inputs.endpoints, healthSettings) : undefined,
    inputs.monitoring.length ? collectEndpoints(inputs.monitoring, monitoringSettings) : undefined,
    inputs.tlsHosts.length ? collectTls(inputs.tlsHosts, inputs.timeoutMs, now) : undefined,
    databaseCollector && inputs.database
      ? databaseCollector.collectDatabase(inputs.database, ctx.workspace, inputs.timeoutMs)
      : undefined,
    ciCoverage
      ? inArtifact('coverage', async ({ dir, facts }) => {
          if (!facts.files.includes(ciCoverage.replace(/^\.\//, '')))
            throw notInArtifact('coverage-file', ciCoverage, facts);
          return collectCoverage(join(dir, ciCoverage), ciCoverage);
        })
      : inputs.coverage
        ? collectCoverage(inputs.coverage.path, inputs.coverage.display)
        : undefined,
    ciSarif.length
      ? inArtifact('security', async ({ dir, facts }) => {
          const files = [];
          for (const pattern of ciSarif) {
            const found = await expandGlobs('sarif-files', [pattern], dir).catch(() => []);
            if (found.length === 0) throw notInArtifact('sarif-files', pattern, facts);
            files.push(...found);
          }
          return collectSecurity(files);
        })
      : inputs.sarif.length
        ? collectSecurity(inputs.sarif)
        : undefined,
    inputs.githubToken
      ? attempt('review', errors, () =>
          collectReview(inputs.githubToken ?? '', ctx.apiUrl, ctx.repository, ctx.sha),
        )
      : undefined,
    vercel ? attempt('vercel', errors, () => collectVercelEnv(vercel.target, vercel.required)) : undefined,
    // A URL that hangs or fails is a collector error (the fact is missing); a bad file stays an input error.
    collectManifest &&
      (localManifest && !drills ? collectManifest() : attempt('backups', errors, collectManifest)),
    githubToken && environmentName
      ? attempt('environment', errors, () =>
          collectEnvironment(githubToken, ctx.apiUrl, ctx.repository, environmentName),
        )
      : undefined,
    incidentsSource
      ? attempt('incidents', errors, () => collectIncidents(incidentsSource, inputs.timeoutMs))
      : undefined,
  ]);
  const reports = await fromCi;
  const facts: PreflightFacts = { change: collectChange(ctx, now) };
  if (reports) facts.reports = reports.facts;
  if (endpoints) facts.endpoints = endpoints;
  if (monitoring) facts.monitoring = monitoring;
  if (tls) facts.tls = { minDaysLeft: inputs.tlsMinDays, hosts: tls };
  if (database) facts.database = database;
  if (coverage) facts.coverage = coverage;
  if (security) facts.security = security;
  if (review) facts.review = review;
  if (vercelEnv) facts.vercel = vercelEnv;
  if (backups) facts.backups = backups;
  if (environment) facts.environment = environment;
  if (incidents) facts.incidents = incidents;
  if (errors.length) facts.collectorErrors = errors;
  return { facts, errors };
}
