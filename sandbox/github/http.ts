import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler gets: the repository (`owner/name`), the path's captures, query and JSON body. */
export interface RouteContext<S> {
  state: S;
  repo: string;
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  origin: string;
  path: string;
  /** The login the request's token belongs to. */
  user: string;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route<S> {
  method: 'GET' | 'POST' | 'PATCH';
  /** Matched against the path after `/repos/{owner}/{repo}`. */
  path: RegExp;
  handle(ctx: RouteContext<S>): Reply;
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/** GitHub's error shape. */
export const fail = (status: number, message: string, errors?: unknown[]): Reply => ({
  status,
  body: {
    message,
    ...(errors ? { errors } : {}),
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  },
});

export const missingField = (resource: string, field: string): Reply =>
  fail(422, 'Validation Failed', [{ resource, field, code: 'missing_field' }]);

/** One page of `items` by `per_page`/`page`, with GitHub's `link` header when there is a next page. */
export function page<T>(ctx: RouteContext<unknown>, items: T[], wrap?: (slice: T[]) => unknown): Reply {
  const perPage = Number(ctx.query.get('per_page') ?? 30);
  const n = Number(ctx.query.get('page') ?? 1);
  const slice = items.slice((n - 1) * perPage, n * perPage);
  const next = new URLSearchParams(ctx.query);
  next.set('page', String(n + 1));
  const headers: Record<string, string> =
    n * perPage < items.length ? { link: `<${ctx.origin}${ctx.path}?${next}>; rel="next"` } : {};
  return ok(wrap ? wrap(slice) : slice, 200, headers);
}

export function send(res: ServerResponse, reply: Reply, now: Date = new Date()): void {
  res.writeHead(reply.status, {
    date: now.toUTCString(),
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...reply.headers,
  });
  res.end(JSON.stringify(reply.body));
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
