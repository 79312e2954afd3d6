import { callVercel, team, type VercelTarget, vercelError, withCleanupBudget } from './api.js';

export interface DeployRequest {
  target: VercelTarget;
  path: string;
  prebuilt: boolean;
  /** production, or undefined for a preview. */
  production: boolean;
  /** A production build that does not take the domain until promoted (Vercel's staged deployment). */
  staged: boolean;
  meta: Record<string, string>;
  timeoutMs: number;
  log: (message: string) => void;
}

export interface DeployedDeployment {
  id: string;
  url: string;
  inspectorUrl?: string;
  readyState: string;
  uploadedFiles: number;
  totalFiles: number;
}

export class DeployError extends Error {
  override readonly name = 'DeployError';
}

/**
 * Uploads what is missing and creates the deployment through @vercel/client (the files Vercel already
 * has by SHA-1 are not sent again), then follows its events until READY; ERROR and CANCELED fail with
 * Vercel's own message.
 */
export async function deployBuild(req: DeployRequest): Promise<DeployedDeployment> {
  const { createDeployment } = await import('@vercel/client');
  let deployment: { id?: string; url?: string; inspectorUrl?: string; readyState?: string } = {};
  let uploaded = 0;
  let total = 0;
  const events = createDeployment(
    {
      token: req.target.token,
      path: req.path,
      apiUrl: req.target.apiUrl.replace(/\/+$/, ''),
      ...(req.target.teamId ? { teamId: req.target.teamId } : {}),
      userAgent: 'deploy-gates',
      ...(req.prebuilt ? { prebuilt: true, vercelOutputDir: `${req.path}/.vercel/output` } : {}),
      skipAutoDetectionConfirmation: true,
    },
    {
      name: req.target.project,
      project: req.target.project,
      meta: req.meta,
      ...(req.production ? { target: 'production' } : {}),
      ...(req.staged ? { autoAssignCustomDomains: false } : {}),
    } as Parameters<typeof createDeployment>[1],
  );
  // @vercel/client polls until the build ends, however long: the deadline is kept here.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), req.timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([events.next(), deadline]);
      if (next === 'timeout') {
        const canceled = deployment.id ? await cancel(req.target, deployment.id) : 'it was not created yet';
        throw new DeployError(
          `the deployment was not READY within ${req.timeoutMs / 1000} s (${canceled}); production was not changed`,
        );
      }
      if (next.done) break;
      const result = handle(next.value);
      if (result) return result;
    }
  } finally {
    clearTimeout(timer);
  }
  throw new DeployError('the deployment ended without becoming READY');

  function handle(event: { type: string; payload: unknown }): DeployedDeployment | undefined {
    const payload = event.payload as Record<string, unknown>;
    switch (event.type) {
      case 'hashes-calculated':
        // sha → { names }: files with the same content share one entry.
        total = Object.values(payload).reduce<number>(
          (n, f) => n + ((f as { names?: unknown[] }).names?.length ?? 1),
          0,
        );
        req.log(`${total} files hashed`);
        break;
      case 'file-count':
        req.log(`${(payload.missing as unknown[] | undefined)?.length ?? 0} of them to upload`);
        break;
      case 'file-uploaded':
        uploaded++;
        break;
      case 'created':
        deployment = payload as typeof deployment;
        req.log(`Created ${deployment.id} (${deployment.url}); building`);
        break;
      case 'building':
        req.log('Building');
        break;
      case 'ready':
      case 'alias-assigned':
        deployment = { ...deployment, ...(payload as typeof deployment) };
        if (event.type === 'alias-assigned' || deployment.readyState === 'READY') {
          return {
            id: deployment.id ?? '',
            url: deployment.url ?? '',
            ...(deployment.inspectorUrl ? { inspectorUrl: deployment.inspectorUrl } : {}),
            readyState: 'READY',
            uploadedFiles: uploaded,
            totalFiles: total,
          };
        }
        break;
      case 'canceled':
        throw new DeployError(`deployment ${deployment.id ?? ''} was canceled`);
      case 'error': {
        const message = String(payload.errorMessage ?? payload.message ?? payload.code ?? 'unknown error');
        const code = payload.errorCode ?? payload.code;
        throw new DeployError(`Vercel reported an error${code ? ` (${code})` : ''}: ${message}`);
      }
    }
    return undefined;
  }
}

/** Cancels a build that ran out of time, so it cannot take the domain later; says what happened. */
async function cancel(t: VercelTarget, id: string): Promise<string> {
  try {
    const { deploymentsCancelDeployment } = await import('@vercel/sdk/funcs/deploymentsCancelDeployment.js');
    await callVercel(withCleanupBudget(t), `cancel ${id}`, (core, options) =>
      deploymentsCancelDeployment(core, { id, ...team(t) }, options),
    );
    return `${id} was canceled`;
  } catch (err) {
    return `${id} could not be canceled: ${vercelError(err).message}`;
  }
}
