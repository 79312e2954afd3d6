import { callVercel, team, type VercelTarget } from '../vercel/api.js';
import {
  listDeployments,
  productionNow,
  projectInfo,
  rollbackTo,
  waitForProduction,
} from '../vercel/production.js';
import type { ProductionControl, ProductionDeployment } from './app-step.js';

/** The app step's view of Vercel, over the same core vercel-deploy uses. */
export function vercelProductionControl(t: VercelTarget, aliasTimeoutMs: number): ProductionControl {
  let projectId: string | undefined;
  const id = async () => {
    projectId ??= (await projectInfo(t)).id;
    return projectId;
  };
  return {
    async current() {
      const info = await projectInfo(t);
      if (!info.productionId) return undefined;
      const d = await this.get(info.productionId);
      return d
        ? { id: d.id, createdAt: d.createdAt, ...(d.url ? { url: d.url } : {}) }
        : { id: info.productionId, createdAt: 0 };
    },
    async readyProduction(): Promise<ProductionDeployment[]> {
      const list = await listDeployments(t, await id(), { target: 'production', state: 'READY' });
      return list.map((d) => ({ id: d.uid, createdAt: d.created, url: d.url }));
    },
    async get(deploymentId) {
      const { deploymentsGetDeployment } = await import('@vercel/sdk/funcs/deploymentsGetDeployment.js');
      try {
        const d = (await callVercel(t, `read ${deploymentId}`, (core, options) =>
          deploymentsGetDeployment(core, { idOrUrl: deploymentId, ...team(t) }, options),
        )) as unknown as {
          id: string;
          createdAt: number;
          url: string;
          readyState: string;
          target?: string | null;
          projectId?: string;
        };
        if (d.projectId && d.projectId !== (await id())) return undefined;
        return {
          id: d.id,
          createdAt: d.createdAt,
          url: d.url,
          ready: d.readyState === 'READY',
          production: d.target === 'production',
        };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    async restore(deploymentId) {
      await rollbackTo(t, await id(), deploymentId).catch(async (err: Error) => {
        throw new Error(`${err.message}. ${await productionNow(t)}`);
      });
    },
    async waitUntilServing(deploymentId) {
      await waitForProduction(t, deploymentId, aliasTimeoutMs);
    },
  };
}
