import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probe } from '../../src/probe/http-probe.js';
import { mapLimit } from '../../src/util/concurrency.js';
import { type ScriptedServer, scriptedServer } from '../support/scripted-server.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(routes: Parameters<typeof scriptedServer>[0]) {
  const s = await scriptedServer(routes);
  servers.push(s);
  return s;
}

/** A port with nothing listening: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('http probe', () => {
  it('returns any status as a response, with latency and a capped body', async () => {
    const s = await server({ '/a': () => ({ status: 503, text: 'x'.repeat(100) }) });
    const res = await probe({ url: `${s.url}/a`, timeoutMs: 2000, maxBodyBytes: 10 });
    expect(res).toMatchObject({ status: 503, body: 'xxxxxxxxxx', redirects: 0 });
    expect(res.error).toBeUndefined();
    expect(res.latencyMs).toBeGreaterThan(0);
  });

  it('classifies refused, timeout, reset and DNS failures', async () => {
    const s = await server({ '/hang': () => 'hang', '/reset': () => 'reset' });
    const refused = await probe({ url: `http://127.0.0.1:${await closedPort()}/`, timeoutMs: 2000 });
    const timeout = await probe({ url: `${s.url}/hang`, timeoutMs: 150 });
    const reset = await probe({ url: `${s.url}/reset`, timeoutMs: 2000 });
    const dns = await probe({ url: 'http://no-such-host.invalid/', timeoutMs: 2000 });
    expect([refused, timeout, reset, dns].map((r) => r.error?.class)).toEqual([
      'refused',
      'timeout',
      'reset',
      'dns',
    ]);
    expect(timeout.latencyMs).toBeGreaterThanOrEqual(140);
  });

  it('follows redirects when asked and reports a loop', async () => {
    const s = await server({
      '/old': () => ({ status: 301, headers: { location: '/new' } }),
      '/new': () => ({ json: { ok: true } }),
      '/loop': () => ({ status: 302, headers: { location: '/loop2' } }),
      '/loop2': () => ({ status: 302, headers: { location: '/loop' } }),
    });
    expect(await probe({ url: `${s.url}/old`, timeoutMs: 2000 })).toMatchObject({
      status: 301,
      redirects: 0,
    });
    expect(await probe({ url: `${s.url}/old`, timeoutMs: 2000, maxRedirects: 5 })).toMatchObject({
      status: 200,
      redirects: 1,
    });
    const loop = await probe({ url: `${s.url}/loop`, timeoutMs: 2000, maxRedirects: 10 });
    expect(loop.error?.class).toBe('redirect-loop');
  });

  it('mapLimit keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
