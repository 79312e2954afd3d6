import { type Step, StepFailure, type StepOutcome } from './steps.js';

export interface ProductionDeployment {
  id: string;
  /** Creation time, ms since the epoch. */
  createdAt: number;
  url?: string;
}

/** What the app step needs from Vercel (implemented over src/vercel in vercel-app.ts). */
export interface ProductionControl {
  /** The deployment the production domain serves now, if any. */
  current(): Promise<ProductionDeployment | undefined>;
  /** READY production deployments of the project, newest first. */
  readyProduction(): Promise<ProductionDeployment[]>;
  /** Looks one deployment up; undefined when Vercel does not know it. */
  get(id: string): Promise<(ProductionDeployment & { ready: boolean; production: boolean }) | undefined>;
  /** Asks Vercel to make `id` production again (rollback or promote, whichever applies). */
  restore(id: string): Promise<void>;
  /** Resolves once the production alias serves `id`; throws after the timeout. */
  waitUntilServing(id: string): Promise<void>;
}

export interface AppStepOptions {
  control: ProductionControl;
  previousDeploymentId: string;
  failedDeploymentId: string;
  log: { info(message: string): void; warning(message: string): void };
}

/**
 * Which deployment to bring back. Given: `previous-deployment-id`. Otherwise the newest READY production
 * deployment created before the failed one, the failed one being `failed-deployment-id` or, without it,
 * the newest production deployment. The choice depends on creation order only, and a rollback creates no
 * deployment, so a re-run picks the same target instead of stepping back one deployment further.
 */
async function chooseTarget(options: AppStepOptions): Promise<{ id: string; why: string }> {
  const { control } = options;
  if (options.previousDeploymentId) {
    const found = await control.get(options.previousDeploymentId);
    if (!found) {
      throw new StepFailure(
        `previous-deployment-id ${options.previousDeploymentId} is not a deployment of this project on Vercel.`,
      );
    }
    if (!found.ready) {
      throw new StepFailure(`Deployment ${found.id} is not READY, so it cannot serve production again.`);
    }
    return { id: found.id, why: 'previous-deployment-id' };
  }
  const ready = await control.readyProduction();
  let failedAt: number;
  let failedId: string;
  if (options.failedDeploymentId) {
    const failed = await control.get(options.failedDeploymentId);
    if (!failed) {
      throw new StepFailure(
        `failed-deployment-id ${options.failedDeploymentId} is not a deployment of this project on Vercel, so the deployment before it cannot be found. Give previous-deployment-id.`,
      );
    }
    failedAt = failed.createdAt;
    failedId = failed.id;
  } else {
    const newest = ready[0];
    if (!newest) throw new StepFailure(noPrevious('The project has no READY production deployment at all.'));
    failedAt = newest.createdAt;
    failedId = newest.id;
  }
  const before = ready
    .filter((d) => d.id !== failedId && d.createdAt < failedAt)
    .sort((a, b) => b.createdAt - a.createdAt);
  const target = before[0];
  if (!target) {
    throw new StepFailure(
      noPrevious(
        `No READY production deployment was created before ${failedId}; there is nothing to roll back to.`,
      ),
    );
  }
  return { id: target.id, why: `the newest READY production deployment before ${failedId}` };
}

function noPrevious(what: string): string {
  return `${what} Give previous-deployment-id (the deployment to bring back) if one exists.`;
}

export function appStep(options: AppStepOptions): Step {
  return {
    name: 'app',
    title: 'App (Vercel)',
    async run(): Promise<StepOutcome> {
      const target = await chooseTarget(options);
      const current = await options.control.current();
      const data = { appRestoredTo: target.id, failedDeploymentId: options.failedDeploymentId || undefined };
      if (current?.id === target.id) {
        return {
          status: 'skipped',
          detail: `${target.id} (${target.why}) already serves production; nothing to do.`,
          data,
        };
      }
      const from = current ? current.id : 'no deployment';
      options.log.info(`Production serves ${from}; bringing back ${target.id} (${target.why}).`);
      await options.control.restore(target.id);
      await options.control.waitUntilServing(target.id);
      return {
        status: 'done',
        detail: `Production served ${from}; ${target.id} (${target.why}) serves it again.`,
        data,
      };
    },
  };
}
