import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import { InputError } from '../../src/errors.js';
import { RetryExhaustedError } from '../../src/util/retry.js';
import { type VercelTarget, vercelError } from '../../src/vercel/api.js';
import type { DeployInputs } from '../../src/vercel/inputs.js';
import { projectInfo } from '../../src/vercel/production.js';
import { checkedProject } from '../../src/vercel/run.js';

// The vercel area over real HTTP against the emulator: the SDK, the retries and the error mapping.
let vercel: VercelEmulator;
let log: string[];

beforeAll(async () => {
  vercel = await startVercelEmulator();
  await vercel.createProject({ name: 'web' });
});
afterAll(async () => {
  await vercel?.close();
});
beforeEach(() => {
  vercel.clearFaults();
  log = [];
});

const target = (over: Partial<VercelTarget> = {}): VercelTarget => ({
  token: vercel.token,
  project: 'web',
  teamId: vercel.teamId,
  apiUrl: vercel.apiUrl,
  budget: { callMs: 30_000, log: (m) => log.push(m) },
  ...over,
});
const calls = () => vercel.requests.filter((r) => r.path.includes('/projects/web')).length;

describe('callVercel (through projectInfo)', () => {
  it('reads the project in the team', async () => {
    const info = await projectInfo(target());
    expect(info).toMatchObject({ name: 'web', productionId: undefined, domains: [] });
    expect(info.id).toBe(vercel.project('web')?.id);
  });

  it('retries a 5xx and says so in the log', async () => {
    const before = calls();
    vercel.failNext(2, { status: 503, path: '/projects/web' });
    expect((await projectInfo(target())).name).toBe('web');
    expect(calls() - before).toBe(3);
    expect(log.filter((m) => m.includes('Vercel API (read project)') && m.includes('503'))).toHaveLength(2);
    expect(vercel.pendingFaults()).toBe(0);
  });

  it('gives up on a 5xx that lasts past the time budget', async () => {
    vercel.failNext(50, { status: 502, path: '/projects/web' });
    const err = await projectInfo(target({ budget: { callMs: 1500, log: (m) => log.push(m) } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as Error).message).toContain('Vercel API (read project): answered 502');
  });

  it('does not retry a 404, and reads Vercel error body', async () => {
    const before = vercel.requests.length;
    const err = await projectInfo(target({ project: 'nope' })).catch((e: unknown) => e);
    expect(vercel.requests.length - before).toBe(1);
    expect(vercelError(err)).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('checkedProject', () => {
  const inputs = (t: VercelTarget) => ({ target: t }) as DeployInputs;

  it('an unknown project is an input error on vercel-project', async () => {
    const err = await checkedProject(inputs(target({ project: 'nope' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ input: 'vercel-project' });
    expect((err as Error).message).toContain(`in team ${vercel.teamId}`);
  });

  it('a refused token is an input error on vercel-token, without the token', async () => {
    const err = await checkedProject(inputs(target({ token: 'vercel_wrong_token' }))).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ input: 'vercel-token' });
    expect((err as Error).message).toContain('403');
    expect((err as Error).message).not.toContain('vercel_wrong_token');
  });
});
