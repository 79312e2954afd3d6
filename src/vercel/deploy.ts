import type { FilesMap } from '@vercel/client/dist/utils/hashes.js';
import { RetryExhaustedError, type RetryVerdict, withRetry } from '../util/retry.js';
import { callVercel, team, type VercelTarget, vercelError, withCleanupBudget } from './api.js';
import type { BuildFile } from './files.js';
import { uploadMissing } from './upload.js';

export interface DeployRequest {
  target: VercelTarget;
  path: string;
  /** The build, hashed once (hashFiles): what the deployment is made of. */
  files: readonly BuildFile[];
  /** How often the upload logs its progress; default 10 s. */
  progressEveryMs?: number;
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

type DeploymentEvents = ReturnType<typeof import('@vercel/client/dist/deploy.js').deploy>;
type DeploymentEvent = { type: string; payload: unknown };
type DeploymentState = { id?: string; url?: string; inspectorUrl?: string; readyState?: string };

/** What @vercel/client reported instead of a created deployment: its status, if the API answered. */
class CreateFailed extends Error {
  override readonly name = 'CreateFailed';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly answered: boolean,
  ) {
    super(message);
  }
}

/**
 * @vercel/client does not retry `POST /v13/deployments`: a 429 or a 5xx would end the deploy. Those, and
 * a request that got no answer, are worth another try; the files uploaded by the first attempt are not
 * sent again (Vercel has them by SHA-1). An answer about the request itself (400, 403) is not.
 */
function classifyCreate(err: unknown): RetryVerdict {
  if (!(err instanceof CreateFailed)) return { retry: false };
  if (!err.answered) return { retry: true, reason: 'not answering' };
  const status = err.status ?? 0;
  return status === 429 || status >= 500 ? { retry: true, reason: `answered ${status}` } : { retry: false };
}

function vercelReported(payload: Record<string, unknown>): string {
  const message = String(payload.errorMessage ?? payload.message ?? payload.code ?? 'unknown error');
  const code = payload.errorCode ?? payload.code;
  return `Vercel reported an error${code ? ` (${code})` : ''}: ${message}`;
}

/** The next event, or the attempt's abort: @vercel/client takes no AbortSignal of its own. */
function nextEvent(events: DeploymentEvents, signal: AbortSignal) {
  return new Promise<IteratorResult<DeploymentEvent>>((resolve, reject) => {
    const aborted = () => reject(new CreateFailed('no answer in time', undefined, false));
    if (signal.aborted) return aborted();
    signal.addEventListener('abort', aborted, { once: true });
    events
      .next()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', aborted));
  });
}

/**
 * Creates the deployment from the hashed build, uploading only what Vercel lacks (the files it already
 * has by SHA-1 are not sent again), retrying the create within the step's time, then follows its events
 * through @vercel/client until READY; ERROR and CANCELED fail with Vercel's own message.
 */
export async function deployBuild(req: DeployRequest): Promise<DeployedDeployment> {
  const deadline = Date.now() + req.timeoutMs;
  const progress = { uploaded: 0, total: req.files.length };
  let deployment: DeploymentState = {};

  // One create is one request: retried on 429, 5xx and no answer; the uploads are not part of it.
  const createOnce = () =>
    withRetry((signal) => create(req, signal), {
      what: 'Vercel API (create deployment)',
      deadline,
      log: req.log,
      classify: classifyCreate,
    }).catch((err: unknown) => {
      if (err instanceof RetryExhaustedError && err.timedOut)
        throw new DeployError(
          `the deployment was not created within ${req.timeoutMs / 1000} s: ${err.message}; production was not changed`,
        );
      throw err instanceof CreateFailed || err instanceof RetryExhaustedError
        ? new DeployError(err.message)
        : err;
    });
  let created = await createOnce();
  if ('missing' in created) {
    req.log(`${created.missing.length} of them to upload`);
    progress.uploaded = await uploadMissing(req.target, req.files, created.missing, {
      root: req.path,
      log: req.log,
      ...(req.progressEveryMs ? { progressEveryMs: req.progressEveryMs } : {}),
    });
    created = await createOnce();
    if ('missing' in created)
      throw new DeployError(
        `Vercel still lacks ${created.missing.length} of the files after they were uploaded (sha ${created.missing[0]}); production was not changed`,
      );
  } else req.log('Vercel has every file already: nothing to upload');
  req.log(`Created ${created.deployment.id} (${created.deployment.url}); building`);
  deployment = created.deployment;

  // @vercel/client polls until the build ends, however long: the deadline is kept here.
  const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  for (;;) {
    const next = await nextEvent(created.events, signal).catch((err: unknown) => {
      if (!(err instanceof CreateFailed)) throw err;
      return 'timeout' as const;
    });
    if (next === 'timeout') {
      const canceled = deployment.id ? await cancel(req.target, deployment.id) : 'it was not created yet';
      throw new DeployError(
        `the deployment was not READY within ${req.timeoutMs / 1000} s (${canceled}); production was not changed`,
      );
    }
    if (next.done) break;
    const { type, payload } = next.value;
    const p = payload as Record<string, unknown>;
    if (type === 'building') req.log('Building');
    if (type === 'canceled') throw new DeployError(`deployment ${deployment.id ?? ''} was canceled`);
    if (type === 'error') throw new DeployError(vercelReported(p));
    if (type === 'ready' || type === 'alias-assigned') {
      deployment = { ...deployment, ...(payload as DeploymentState) };
      if (type === 'alias-assigned' || deployment.readyState === 'READY') {
        return {
          id: deployment.id ?? '',
          url: deployment.url ?? '',
          ...(deployment.inspectorUrl ? { inspectorUrl: deployment.inspectorUrl } : {}),
          readyState: 'READY',
          uploadedFiles: progress.uploaded,
          totalFiles: progress.total,
        };
      }
    }
  }
  throw new DeployError('the deployment ended without becoming READY');
}

/** @vercel/client's list of the build (sha → names, mode, size), without contents: nothing is inlined. */
function filesMap(files: readonly BuildFile[]): FilesMap {
  const map: FilesMap = new Map();
  for (const f of files) {
    const known = map.get(f.sha);
    if (known) known.names.push(f.path);
    else map.set(f.sha, { names: [f.path], mode: f.mode, size: f.size });
  }
  return map;
}

/**
 * One create request, from the files' SHA-1s: the deployment and the events still to come, or the
 * SHA-1s Vercel lacks (`missing_files`). @vercel/client's deploy() sends it as its createDeployment would
 * (query and body) and follows the build; its hashing and its upload loop are not used.
 */
async function create(
  req: DeployRequest,
  signal: AbortSignal,
): Promise<{ deployment: DeploymentState; events: DeploymentEvents } | { missing: string[] }> {
  const { deploy } = await import('@vercel/client/dist/deploy.js');
  const clientOptions = {
    token: req.target.token,
    path: req.path,
    isDirectory: true,
    apiUrl: req.target.apiUrl.replace(/\/+$/, ''),
    ...(req.target.teamId ? { teamId: req.target.teamId } : {}),
    userAgent: 'deploy-gates',
    ...(req.prebuilt ? { prebuilt: true, vercelOutputDir: `${req.path}/.vercel/output` } : {}),
    skipAutoDetectionConfirmation: true,
  };
  // deploy() writes into the options it is given (version, name): a fresh object per request.
  const events = deploy(filesMap(req.files), clientOptions, {
    name: req.target.project,
    project: req.target.project,
    meta: req.meta,
    version: 2,
    ...(req.production ? { target: 'production' } : {}),
    ...(req.staged ? { autoAssignCustomDomains: false } : {}),
  } as Parameters<typeof deploy>[2]);
  for (;;) {
    const next = await nextEvent(events, signal);
    if (next.done)
      throw new CreateFailed('@vercel/client ended before the deployment was created', undefined, true);
    const payload = next.value.payload as Record<string, unknown>;
    if (next.value.type === 'created') return { deployment: payload as DeploymentState, events };
    if (next.value.type !== 'error') continue; // warnings and notices Vercel sends in headers
    if (payload.code === 'missing_files' && Array.isArray(payload.missing))
      return { missing: payload.missing as string[] };
    const status = typeof payload.status === 'number' ? payload.status : undefined;
    // Without a status the request got no answer (fetch failed, reset): payload is the thrown error.
    throw new CreateFailed(vercelReported(payload), status, status !== undefined);
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
