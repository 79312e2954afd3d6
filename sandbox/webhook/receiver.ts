/**
 * A webhook receiver on loopback, standing in for Slack (or any JSON webhook) in tests and the demo.
 * It records every request and can fail the next N requests with a 5xx (or 429) to exercise retries;
 * `respond` makes it answer as one service does (sandbox/webhook/services.ts: Slack, Teams, Statuspage).
 *
 * Self-contained on purpose (no sibling imports), like sandbox/postgres/cluster.ts: the demo runs it
 * with Node's type stripping.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The status this receiver answered with. */
  status: number;
  receivedAt: Date;
}

export interface FailureOptions {
  /** Default 503. */
  status?: number;
  /** Sent as the Retry-After header (seconds) when given. */
  retryAfter?: number;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** origin + path; default path /hooks/rollback. */
  url(path?: string): string;
  /** Every request so far, failed ones included, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** The requests that were answered 2xx. */
  delivered(): ReceivedRequest[];
  /** Answer the next `count` requests with `status` (default 503) instead of 200. */
  failNext(count: number, options?: FailureOptions): void;
  /** Resolves once `count` requests in total have arrived (at once if they already have). */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Forget recorded requests and pending failures. */
  reset(): void;
  close(): Promise<void>;
}

/** A request as the receiver judges it, before it answers. */
export type IncomingRequest = Pick<ReceivedRequest, 'method' | 'path' | 'headers' | 'body' | 'json'>;

/** An answer of the service the receiver stands in for. */
export interface ServiceAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export interface StartWebhookOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Body of a successful answer; Slack answers `ok` as text/plain. */
  okBody?: string;
  /**
   * The service's own answer to a request that is not failed on purpose: a refusal of a payload the real
   * service would refuse, or its success answer. Undefined: 200 with okBody.
   */
  respond?: (req: IncomingRequest) => ServiceAnswer | undefined;
}

export async function startWebhookReceiver(options: StartWebhookOptions = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const failures: FailureOptions[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const failure = failures.shift();
      const answer = failure
        ? undefined
        : options.respond?.({
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            headers: req.headers,
            body,
            json,
          });
      const status = failure ? (failure.status ?? 503) : (answer?.status ?? 200);
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json,
        status,
        receivedAt: new Date(),
      });
      if (failure) {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
        res.writeHead(status, headers).end(`failing on purpose (${status})`);
      } else if (answer) {
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' }).end(answer.body);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(options.okBody ?? 'ok');
      }
      const ready = waiters.filter((w) => requests.length >= w.count);
      waiters = waiters.filter((w) => requests.length < w.count);
      for (const w of ready) w.resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    url: (path = '/hooks/rollback') => `${origin}${path}`,
    requests,
    delivered: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    failNext(count, failure = {}) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(
            new Error(`webhook receiver: ${requests.length} of ${count} requests after ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests.slice());
          },
        };
        waiters.push(waiter);
      });
    },
    reset() {
      requests.splice(0);
      failures.splice(0);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
