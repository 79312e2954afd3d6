/**
 * The deployed sites: one HTTPS listener per deployment (its `url`) and one per project (the production
 * domain, whose content follows the project's production deployment). Static files come from the upload;
 * tests add dynamic handlers (health checks, APIs with scripted latency or errors) per deployment/project.
 */
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, posix } from 'node:path';
import type { DeploymentRecord, Store } from './state.js';

export interface SiteRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  deployment: DeploymentRecord;
  /** True when the request came in through the project's production domain. */
  viaProductionDomain: boolean;
}

export interface SiteResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON with content-type application/json. */
  json?: unknown;
  body?: string | Buffer;
  /** Wait this long before answering (latency scripts). */
  delayMs?: number;
}

export type SiteHandler = (req: SiteRequest) => SiteResponse | undefined | Promise<SiteResponse | undefined>;

export interface SiteHandlerScope {
  /** Only this deployment (id). */
  deploymentId?: string;
  /** Only deployments of this project (id or name). */
  project?: string;
  /** Default any method. */
  method?: string;
}

interface Registered {
  path: string | RegExp;
  scope: SiteHandlerScope;
  handler: SiteHandler;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

export class Sites {
  private readonly servers: Server[] = [];
  private readonly handlers: Registered[] = [];
  /** Project id → its Protection Bypass for Automation secret, for projects whose deployments are protected. */
  private readonly protectedProjects = new Map<string, string>();
  private readonly store: () => Store;
  private readonly tls: { key: string; cert: string };
  private served = 0;

  constructor(tls: { key: string; cert: string }, store: () => Store) {
    this.tls = tls;
    this.store = store;
  }

  /** Adds a dynamic handler; the first registered handler that answers wins. Returns its remover. */
  handle(path: string | RegExp, handler: SiteHandler, scope: SiteHandlerScope = {}): () => void {
    const entry = { path, scope, handler };
    this.handlers.push(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /**
   * Standard Deployment Protection: the project's deployment URLs answer 401 unless the request carries
   * the bypass secret (header or query `x-vercel-protection-bypass`); its production domain stays public.
   */
  protect(projectId: string, bypassSecret: string): () => void {
    this.protectedProjects.set(projectId, bypassSecret);
    return () => this.protectedProjects.delete(projectId);
  }

  async open(site: { deploymentId: string } | { projectId: string }): Promise<string> {
    const server = createServer(this.tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.answer(site, req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks))
          .then(({ status, headers, body }) => {
            res.writeHead(status, headers);
            res.end(req.method === 'HEAD' ? undefined : body);
          })
          .catch((err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`sandbox site handler failed: ${String(err)}`);
          });
      });
    });
    server.keepAliveTimeout = 1000;
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async answer(
    site: { deploymentId: string } | { projectId: string },
    method: string,
    rawUrl: string,
    headers: SiteRequest['headers'],
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: string | Buffer }> {
    const store = this.store();
    const viaProductionDomain = 'projectId' in site;
    const id = viaProductionDomain
      ? store.projects.get(site.projectId)?.productionDeploymentId
      : site.deploymentId;
    const d = id ? store.deployments.get(id) : undefined;
    this.served += 1;
    const requestId = `sbx1::${String(this.served).padStart(6, '0')}`;
    if (d?.readyState !== 'READY') {
      const code = d ? 'DEPLOYMENT_NOT_READY' : 'DEPLOYMENT_NOT_FOUND';
      return {
        status: 404,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'x-vercel-error': code,
          'x-vercel-id': requestId,
        },
        body: `${code}\n`,
      };
    }
    const base = {
      'x-vercel-id': `${requestId}::${d.id}`,
      'x-deployment-id': d.id,
      'x-vercel-cache': 'MISS',
    };
    const url = new URL(rawUrl, 'https://sandbox.invalid');
    const secret = viaProductionDomain ? undefined : this.protectedProjects.get(d.projectId);
    const bypass =
      headers['x-vercel-protection-bypass'] ?? url.searchParams.get('x-vercel-protection-bypass');
    if (secret !== undefined && bypass !== secret) {
      return {
        status: 401,
        headers: { ...base, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        body: '<!doctype html><title>Authentication Required</title><p>Vercel Authentication</p>\n',
      };
    }
    const path = decodeURIComponent(url.pathname);
    const req: SiteRequest = {
      method,
      path,
      query: url.searchParams,
      headers,
      body,
      deployment: d,
      viaProductionDomain,
    };
    for (const h of [...this.handlers]) {
      if (!this.applies(h, req, store)) continue;
      const out = await h.handler(req);
      if (!out) continue;
      if (out.delayMs) await new Promise((r) => setTimeout(r, out.delayMs));
      const isJson = out.json !== undefined;
      return {
        status: out.status ?? 200,
        headers: {
          'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
          ...base,
          ...out.headers,
        },
        body: isJson ? JSON.stringify(out.json) : (out.body ?? ''),
      };
    }
    return this.staticFile(d, path, base, store);
  }

  private applies(h: Registered, req: SiteRequest, store: Store): boolean {
    const { scope } = h;
    if (scope.method && scope.method.toUpperCase() !== req.method) return false;
    if (scope.deploymentId && scope.deploymentId !== req.deployment.id) return false;
    if (scope.project) {
      const p = store.projects.get(req.deployment.projectId);
      if (!p || (p.id !== scope.project && p.name !== scope.project)) return false;
    }
    return typeof h.path === 'string' ? h.path === req.path : h.path.test(req.path);
  }

  private staticFile(
    d: DeploymentRecord,
    path: string,
    base: Record<string, string>,
    store: Store,
  ): { status: number; headers: Record<string, string>; body: Buffer | string } {
    const clean = posix.normalize(path).replace(/^\/+/, '');
    const candidates = clean === '' ? ['index.html'] : [clean, `${clean}/index.html`, `${clean}.html`];
    for (const name of candidates) {
      const sha = d.files.get(name.replace(/^\/+|\/+$/g, '').replace(/\/\/+/g, '/'));
      const data = sha ? store.files.get(sha) : undefined;
      if (data) {
        const type = TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
        return { status: 200, headers: { ...base, 'content-type': type }, body: data };
      }
    }
    const notFound = d.files.get('404.html');
    const page = notFound ? store.files.get(notFound) : undefined;
    return {
      status: 404,
      headers: { ...base, 'content-type': page ? (TYPES['.html'] ?? '') : 'text/plain; charset=utf-8' },
      body: page ?? 'NOT_FOUND\n',
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}

export interface SiteFetchResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * GET (or another method) over HTTPS trusting only `ca`: for in-process checks of the sandbox's sites,
 * where NODE_EXTRA_CA_CERTS cannot apply any more (it is read at process start).
 */
export function fetchSite(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SiteFetchResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
