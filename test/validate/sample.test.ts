import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Check } from '../../src/validate/checks.js';
import { sampleChecks } from '../../src/validate/sample.js';

const CHECKS = 12;
const checks: Check[] = Array.from({ length: CHECKS }, (_, i) => ({ name: `check ${i}`, url: `/c/${i}` }));
const base = { samples: 2, intervalMs: 0, initialDelayMs: 0, timeoutMs: 10_000, bearerToken: undefined };

/**
 * A server that holds every request until `release` requests are waiting, then answers them all, and
 * notes the most that were unanswered at once. A run probing fewer checks at once than `release` would
 * hang here, so the default's "every check at once" is shown by the run finishing, with no timing.
 */
async function barrierServer(release: number, holdMs = 0) {
  const waiting: ServerResponse[] = [];
  let most = 0;
  let unanswered = 0;
  const server = createServer((req, res) => {
    req.resume();
    waiting.push(res);
    unanswered += 1;
    most = Math.max(most, unanswered);
    res.on('finish', () => {
      unanswered -= 1;
    });
    if (waiting.length < release) return;
    const batch = waiting.splice(0);
    // Held a moment, so that a client ignoring its limit would have more requests waiting here.
    setTimeout(() => {
      for (const r of batch) r.end('{}');
    }, holdMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, most: () => most, close: () => new Promise((r) => server.close(r)) };
}

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('sampleChecks', () => {
  it('probes every check at once when concurrency is 0 (the default), each check sample after sample', async () => {
    const server = await barrierServer(CHECKS);
    close = server.close;
    const results = await sampleChecks(checks, { ...base, baseUrl: server.url, concurrency: 0 });
    expect(results.flatMap((r) => r.samples.map((s) => s.outcome))).toEqual(
      Array(CHECKS * 2).fill('success'),
    );
    // One request per check in flight: a check's next sample waits for its previous one.
    expect(server.most()).toBe(CHECKS);
  });

  it('probes at most `concurrency` checks at once when it is set', async () => {
    const server = await barrierServer(3, 5);
    close = server.close;
    const results = await sampleChecks(checks, { ...base, baseUrl: server.url, concurrency: 3 });
    expect(results.flatMap((r) => r.samples.map((s) => s.outcome))).toEqual(
      Array(CHECKS * 2).fill('success'),
    );
    expect(server.most()).toBe(3);
  });
});
