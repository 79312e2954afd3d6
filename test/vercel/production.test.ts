import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import type { VercelTarget } from '../../src/vercel/api.js';
import { rollbackTo, waitForProduction } from '../../src/vercel/production.js';
import { liveVersions } from '../support/action-world.js';

// The wait for the production alias (after a promote or, as here, an instant rollback), over real HTTP
// against the emulator: Vercel announces no alias move, so waitForProduction reads the project until it
// serves the deployment, fails, or the time is up.
let vercel: VercelEmulator;
let log: string[];

beforeAll(async () => {
  vercel = await startVercelEmulator();
});
afterAll(async () => {
  await vercel?.close();
});
afterEach(() => {
  vercel.build.aliasMs = 0;
  vercel.clearFaults();
});

/** A project whose production serves v2, with v1 before it: the rollback's starting point. */
async function twoReleases(name: string) {
  log = [];
  const { v1, v2 } = await liveVersions(vercel, name);
  const target: VercelTarget = {
    token: vercel.token,
    project: name,
    teamId: vercel.teamId,
    apiUrl: vercel.apiUrl,
    budget: { callMs: 30_000, log: (m) => log.push(m) },
  };
  return { target, projectId: vercel.project(name)?.id ?? '', serving: v2.id, earlier: v1.id };
}
const projectReads = (name: string) =>
  vercel.requests.filter((r) => r.method === 'GET' && r.path.includes(`/projects/${name}`)).length;

describe('waitForProduction', () => {
  it('waits for an alias that moves later, saying where it stands, at growing intervals', async () => {
    const r = await twoReleases('later');
    vercel.build.aliasMs = 1200;
    await rollbackTo(r.target, r.projectId, r.earlier);
    const before = projectReads('later');
    const info = await waitForProduction(r.target, r.earlier, 10_000);
    expect(info.productionId).toBe(r.earlier);
    expect(vercel.productionDeploymentId('later')).toBe(r.earlier);
    // The first line comes at once (seconds are whole: a loaded machine may say 1 s).
    expect(log[0]).toMatch(
      new RegExp(
        `^Waiting for production to serve ${r.earlier}: the production domain serves ${r.serving}, not ${r.earlier} \\(alias job in-progress\\) \\(\\d+ s, \\d+ s left\\)$`,
      ),
    );
    // 250, 500, 1000 ms between reads: four reads see the move, where a fixed 250 ms poll needed six.
    expect(projectReads('later') - before).toBeLessThanOrEqual(5);
  });

  it('a stuck alias fails at the deadline, with what production serves', async () => {
    const r = await twoReleases('stuck');
    vercel.failNextAliasMove('stuck');
    await rollbackTo(r.target, r.projectId, r.earlier);
    const started = Date.now();
    await expect(waitForProduction(r.target, r.earlier, 800)).rejects.toThrow(
      `the production domain serves ${r.serving}, not ${r.earlier} (alias job in-progress) after 800 ms`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an alias job that ended without moving the domain fails at once, not at the deadline', async () => {
    const r = await twoReleases('unmoved');
    vercel.failNextAliasMove('alias-not-moved');
    await rollbackTo(r.target, r.projectId, r.earlier);
    const started = Date.now();
    const err = await waitForProduction(r.target, r.earlier, 30_000).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `the production domain serves ${r.serving}, not ${r.earlier} (alias job succeeded)`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
