import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one path answers its n-th request (1-based). */
export type Behaviour = (n: number, req: IncomingMessage) => Reply | 'hang' | 'reset';
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface ScriptedServer {
  url: string;
  hits(path: string): number;
  /** Authorization headers seen, in order. */
  readonly authorizations: string[];
  close(): Promise<void>;
}

/** A loopback HTTP server whose paths answer as scripted: slow, flapping, failing, hanging, resetting. */
export async function scriptedServer(routes: Record<string, Behaviour>): Promise<ScriptedServer> {
  const counts = new Map<string, number>();
  const authorizations: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    req.resume();
    const behaviour = routes[path];
    const reply = behaviour ? behaviour(n, req) : { status: 404, json: { error: 'not found' } };
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    const send = () => {
      const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
      res.writeHead(reply.status ?? 200, {
        'content-type': reply.json !== undefined ? 'application/json' : 'text/plain',
        ...reply.headers,
      });
      res.end(body);
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => counts.get(path) ?? 0,
    authorizations,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const ok =
  (json: unknown = { status: 'ok' }, delayMs = 0): Behaviour =>
  () => ({ json, delayMs });

/** The playbook's default endpoints, all healthy, the functional ones behind a bearer token. */
export function healthyApp(
  token: string,
  overrides: Record<string, Behaviour> = {},
): Record<string, Behaviour> {
  const authed: Behaviour = (_n, req) =>
    req.headers.authorization === `Bearer ${token}`
      ? { json: { ok: true } }
      : { status: 401, json: { error: 'auth' } };
  return {
    '/health': ok(),
    '/api/health/database': ok(),
    '/api/health/compliance': ok(),
    '/api/compliance/lgpd/status': ok({ compliant: true }),
    '/api/compliance/anvisa/status': ok({ compliant: true }),
    '/api/compliance/cfm/status': ok({ compliant: true }),
    '/api/patients/validate': authed,
    '/api/appointments/test': authed,
    '/api/medical-records/test': authed,
    ...overrides,
  };
}
