import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError } from '../errors.js';
import { writeReportFile } from '../report/write-file.js';
import type { RunContext, Runner } from '../runner/runner.js';
import { vercelError } from './api.js';
import { deployBuild } from './deploy.js';
import { hashFiles, listBuildFiles } from './files.js';
import type { DeployInputs } from './inputs.js';
import {
  lastReadyProductionBefore,
  listDeployments,
  type ProjectInfo,
  productionNow,
  projectInfo,
  promote,
  waitForProduction,
} from './production.js';
import { sriFiles, sriManifest } from './sri.js';
import { deploySummary } from './summary.js';

/** The project as Vercel knows it; a 404 or a refused token is the user's input to fix. */
export async function checkedProject(inputs: DeployInputs): Promise<ProjectInfo> {
  const t = inputs.target;
  return projectInfo(t).catch((err) => {
    const e = vercelError(err);
    if (e.status === 404)
      throw new InputError(
        'vercel-project',
        `Vercel has no project "${t.project}"${t.teamId ? ` in team ${t.teamId}` : ''} (${e.message})`,
        'Check the project name or id, and vercel-team for a team project.',
      );
    if (e.status === 401 || e.status === 403)
      throw new InputError(
        'vercel-token',
        `was refused by Vercel (${e.status}: ${e.message})`,
        'Create a token with access to the project (and team) and pass it from a secret.',
      );
    throw new Error(`Vercel could not be asked about project ${t.project}: ${e.message}`);
  });
}

export interface DeployOutcome {
  deploymentId: string;
  /** Where this deployment is served: the production domain once live, else its own URL. */
  environmentUrl: string;
}

/**
 * Playbook Steps 3 and 4B: build once (or reuse this run's build), deploy staged, promote that same
 * deployment, check the domain moved. Sets the action's outputs as it learns them.
 */
export async function deployToVercel(
  runner: Runner,
  ctx: RunContext,
  inputs: DeployInputs,
  project: ProjectInfo,
): Promise<DeployOutcome> {
  const t = inputs.target;
  const phases: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>) => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      phases[name] = Math.round(performance.now() - started);
    }
  };
  const previous = project.productionId;
  runner.info(`Project ${project.name} (${project.id}); production serves ${previous ?? 'nothing yet'}`);

  // A re-run finds this run's deployment by its meta instead of building again.
  const meta = { githubCommitSha: ctx.sha, deployGatesRun: ctx.runId, deployGatesRepository: ctx.repository };
  const mine = ctx.sha
    ? (await listDeployments(t, project.id, { sha: ctx.sha })).find(
        (d) => d.meta?.deployGatesRun === ctx.runId && (d.readyState ?? d.state) === 'READY',
      )
    : undefined;
  let deployment: {
    id: string;
    url: string;
    inspectorUrl?: string;
    uploadedFiles: number;
    totalFiles: number;
  };
  const production = inputs.environment === 'production';
  if (inputs.deploymentId) {
    deployment = { id: inputs.deploymentId, url: '', uploadedFiles: 0, totalFiles: 0 };
  } else if (mine) {
    runner.info(`This run already deployed ${mine.uid} (READY): reusing it`);
    deployment = { id: mine.uid, url: mine.url, uploadedFiles: 0, totalFiles: 0 };
  } else {
    // Every file is read once: its SHA-1 names it to Vercel, its SHA-384 (for the SRI globs' assets) goes
    // into the manifest, which is written before anything is sent.
    const sriRoot = inputs.prebuilt ? join(inputs.path, '.vercel/output/static') : inputs.path;
    const { files, sri } = await timed('hash', () =>
      runner.group('Hash files', async () => {
        const paths = await listBuildFiles(inputs.path, inputs.prebuilt);
        const sriNames = sriFiles(sriRoot, inputs.sriGlobs, paths);
        const sriPaths = new Set(sriNames.map((n) => resolve(sriRoot, n)));
        const files = await hashFiles(paths, { sri: sriPaths, log: (m) => runner.info(m) });
        return { files, sri: sriManifest(sriRoot, sriNames, files) };
      }),
    );
    await writeReportFile(inputs.sriFile, `${JSON.stringify(sri, null, 2)}\n`);
    runner.setOutput('sri-manifest', inputs.sriFile);
    runner.info(`SRI: ${Object.keys(sri).length} assets hashed (sha384) into ${inputs.sriFile}`);
    deployment = await timed('deploy', () =>
      runner.group('Deploy', () =>
        deployBuild({
          target: t,
          path: inputs.path,
          files,
          prebuilt: inputs.prebuilt,
          production,
          staged: production && inputs.promote,
          meta,
          timeoutMs: inputs.timeoutMs,
          log: (m) => runner.info(m),
        }),
      ),
    );
  }
  runner.setOutput('deployment-id', deployment.id);
  if (deployment.url) runner.setOutput('deployment-url', `https://${deployment.url}`);

  let live = project;
  const alreadyLive = previous === deployment.id;
  runner.setOutput(
    'previous-deployment-id',
    alreadyLive ? ((await lastReadyProductionBefore(t, project.id, deployment.id)) ?? '') : (previous ?? ''),
  );
  if (production && alreadyLive) {
    runner.info(`${deployment.id} is production already: nothing to do`);
  } else if (production) {
    if (inputs.promote || inputs.deploymentId) {
      runner.info(`Promoting ${deployment.id} to production (no rebuild)`);
      await timed('promote', () => promote(t, project.id, deployment.id)).catch(async (err: Error) => {
        throw new Error(`promoting ${deployment.id} failed: ${err.message}. ${await productionNow(t)}.`);
      });
    }
    if (inputs.aliasCheck) {
      live = await timed('alias', () => waitForProduction(t, deployment.id, inputs.timeoutMs)).catch(
        (err: Error) => {
          throw new Error(
            `alias check failed: ${err.message}. Production still serves the previous deployment; nothing else was changed.`,
          );
        },
      );
    } else live = await projectInfo(t);
  }
  const productionUrl = live.domains[0] ? `https://${live.domains[0]}` : '';
  runner.setOutput('production-url', productionUrl);
  if (deployment.inspectorUrl) runner.setOutput('inspect-url', deployment.inspectorUrl);
  await runner.appendSummary(
    deploySummary({
      project: project.name,
      deployment,
      previous,
      production,
      productionUrl,
      phases,
      reused: Boolean(mine),
      alreadyLive,
    }),
  );
  return {
    deploymentId: deployment.id,
    environmentUrl: production ? productionUrl : deployment.url ? `https://${deployment.url}` : '',
  };
}
