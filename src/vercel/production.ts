import { PollTimeoutError, poll } from '../util/retry.js';
import { callVercel, team, type VercelTarget, withCleanupBudget } from './api.js';

export interface ProjectInfo {
  id: string;
  name: string;
  /** The deployment the production domain serves now, if any. */
  productionId: string | undefined;
  /** The production domain(s), from the production deployment's aliases. */
  domains: string[];
}

type LastAliasRequest = { toDeploymentId?: string; jobStatus?: string } | null | undefined;

async function readProject(t: VercelTarget): Promise<{ info: ProjectInfo; job: LastAliasRequest }> {
  const { projectsGetProject } = await import('@vercel/sdk/funcs/projectsGetProject.js');
  const p = await callVercel(t, 'read project', (core, options) =>
    projectsGetProject(core, { idOrName: t.project, ...team(t) }, options),
  );
  const production = (p.targets as { production?: { id?: string; alias?: string[] } } | undefined)
    ?.production;
  return {
    info: { id: p.id, name: p.name, productionId: production?.id, domains: production?.alias ?? [] },
    job: p.lastAliasRequest as LastAliasRequest,
  };
}

export async function projectInfo(t: VercelTarget): Promise<ProjectInfo> {
  return (await readProject(t)).info;
}

/** Makes a READY production deployment the one the domain serves (a staged build or an earlier release). */
export async function promote(t: VercelTarget, projectId: string, deploymentId: string): Promise<void> {
  const { projectsRequestPromote } = await import('@vercel/sdk/funcs/projectsRequestPromote.js');
  await callVercel(t, `promote ${deploymentId}`, (core, options) =>
    projectsRequestPromote(core, { projectId, deploymentId, ...team(t) }, options),
  );
}

/**
 * What production really serves, in words for an error message: read after a call that failed or timed
 * out, since Vercel may have acted on a request whose answer never arrived.
 */
export async function productionNow(t: VercelTarget): Promise<string> {
  try {
    const info = await projectInfo(withCleanupBudget(t));
    return `Production serves ${info.productionId ?? 'nothing'} now (read after the failure)`;
  } catch (err) {
    return `What production serves now could not be read (${err instanceof Error ? err.message : String(err)}); check the project in Vercel before re-running`;
  }
}

/** Vercel's instant rollback to an earlier production deployment. */
export async function rollbackTo(t: VercelTarget, projectId: string, deploymentId: string): Promise<void> {
  const { projectsRequestRollback } = await import('@vercel/sdk/funcs/projectsRequestRollback.js');
  await callVercel(t, `roll back to ${deploymentId}`, (core, options) =>
    projectsRequestRollback(core, { projectId, deploymentId, ...team(t) }, options),
  );
}

/**
 * Waits until the project's production target is `deploymentId`; a promote that "succeeded" while the
 * domain kept serving the old deployment fails here, as does one still moving at the deadline. Vercel
 * announces no alias move, so the project is read again, at growing intervals, with progress in the log.
 */
export async function waitForProduction(
  t: VercelTarget,
  deploymentId: string,
  timeoutMs: number,
): Promise<ProjectInfo> {
  let last: { info: ProjectInfo; job: LastAliasRequest } | undefined;
  const notServing = () =>
    `the production domain serves ${last?.info.productionId ?? 'nothing'}, not ${deploymentId}${last?.job?.jobStatus ? ` (alias job ${last.job.jobStatus})` : ''}`;
  return poll(
    async () => {
      last = await readProject(t);
      const { info, job } = last;
      if (info.productionId === deploymentId) return { done: true, value: info };
      const settled =
        job &&
        job.toDeploymentId === deploymentId &&
        ['succeeded', 'failed', 'skipped'].includes(String(job.jobStatus));
      if (settled) throw new Error(notServing());
      return { done: false, state: notServing() };
    },
    {
      what: `Waiting for production to serve ${deploymentId}`,
      deadline: Date.now() + timeoutMs,
      log: t.budget?.log ?? (() => undefined),
    },
  ).catch((err: unknown) => {
    if (err instanceof PollTimeoutError) throw new Error(`${notServing()} after ${timeoutMs} ms`);
    throw err;
  });
}

interface DeploymentSummary {
  uid: string;
  url: string;
  created: number;
  meta?: Record<string, string>;
  state?: string;
  readyState?: string;
  target?: string | null;
}

export async function listDeployments(
  t: VercelTarget,
  projectId: string,
  filter: { target?: string; state?: string; sha?: string },
): Promise<DeploymentSummary[]> {
  const { deploymentsGetDeployments } = await import('@vercel/sdk/funcs/deploymentsGetDeployments.js');
  const res = await callVercel(t, 'list deployments', (core, options) =>
    deploymentsGetDeployments(core, { projectId, limit: 100, ...filter, ...team(t) }, options),
  );
  return (res.deployments as unknown as DeploymentSummary[]).sort((a, b) => b.created - a.created);
}

/** The newest READY production deployment created before `deploymentId` (what a rollback returns to). */
export async function lastReadyProductionBefore(
  t: VercelTarget,
  projectId: string,
  deploymentId: string,
): Promise<string | undefined> {
  const list = await listDeployments(t, projectId, { target: 'production', state: 'READY' });
  const current = list.find((d) => d.uid === deploymentId);
  return list.find((d) => d.uid !== deploymentId && (!current || d.created < current.created))?.uid;
}
