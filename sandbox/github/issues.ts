/**
 * A GitHub REST emulator for the issues API on loopback: what the rollback's incident record uses
 * (create, get, update, add labels, list by label with pagination), with GitHub's paths, fields, status
 * codes and error shape, token auth (401 "Bad credentials"), and 5xx on demand. Octokit talks to it
 * unchanged through `baseUrl`.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatedIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  created_at: string;
  updated_at: string;
}

export interface GitHubIssuesEmulator {
  apiUrl: string;
  token: string;
  issues(repo: string): EmulatedIssue[];
  /** The next `n` requests answer 502. */
  failNext(n: number): void;
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...headers,
  });
  res.end(JSON.stringify(body));
};
const error = (res: ServerResponse, status: number, message: string) =>
  json(res, status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startGitHubIssuesEmulator(): Promise<GitHubIssuesEmulator> {
  const token = `ghs_${randomBytes(12).toString('hex')}`;
  const repos = new Map<string, EmulatedIssue[]>();
  const requests: GitHubIssuesEmulator['requests'] = [];
  let failures = 0;
  let origin = '';
  const view = (repo: string, i: EmulatedIssue) => ({
    id: i.number * 1000,
    number: i.number,
    html_url: `https://github.com/${repo}/issues/${i.number}`,
    url: `${origin}/repos/${repo}/issues/${i.number}`,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name, k) => ({ id: k + 1, name })),
    created_at: i.created_at,
    updated_at: i.updated_at,
  });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname });
    if (failures > 0) {
      failures--;
      return error(res, 502, 'Server Error');
    }
    if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}`) {
      return error(res, 401, 'Bad credentials');
    }
    const m = /^\/repos\/([^/]+\/[^/]+)\/issues(?:\/(\d+))?(\/labels)?$/.exec(url.pathname);
    if (!m) return error(res, 404, 'Not Found');
    const repo = m[1] ?? '';
    const list = repos.get(repo) ?? [];
    repos.set(repo, list);
    const number = m[2] ? Number(m[2]) : undefined;
    const issue = number === undefined ? undefined : list.find((i) => i.number === number);
    const now = new Date().toISOString();
    const b = req.method === 'POST' || req.method === 'PATCH' ? await body(req) : {};
    if (number === undefined && req.method === 'GET') {
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const state = url.searchParams.get('state') ?? 'open';
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const matching = list
        .filter((i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)))
        .sort((a, z) =>
          url.searchParams.get('direction') === 'asc' ? a.number - z.number : z.number - a.number,
        );
      const slice = matching.slice((page - 1) * perPage, page * perPage);
      const links: Record<string, string> =
        page * perPage < matching.length
          ? {
              link: `<${origin}${url.pathname}?${new URLSearchParams({ ...Object.fromEntries(url.searchParams), page: String(page + 1) })}>; rel="next"`,
            }
          : {};
      return json(
        res,
        200,
        slice.map((i) => view(repo, i)),
        links,
      );
    }
    if (number === undefined && req.method === 'POST') {
      if (typeof b.title !== 'string' || !b.title)
        return json(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
        });
      const created: EmulatedIssue = {
        number: list.length + 1,
        title: b.title,
        body: String(b.body ?? ''),
        state: 'open',
        labels: (b.labels as string[] | undefined) ?? [],
        created_at: now,
        updated_at: now,
      };
      list.push(created);
      return json(res, 201, view(repo, created));
    }
    if (!issue) return error(res, 404, 'Not Found');
    if (m[3] && req.method === 'POST') {
      for (const l of (b.labels as string[] | undefined) ?? [])
        if (!issue.labels.includes(l)) issue.labels.push(l);
      return json(
        res,
        200,
        issue.labels.map((name, k) => ({ id: k + 1, name })),
      );
    }
    if (req.method === 'GET') return json(res, 200, view(repo, issue));
    if (req.method === 'PATCH') {
      if (typeof b.title === 'string') issue.title = b.title;
      if (typeof b.body === 'string') issue.body = b.body;
      if (b.state === 'open' || b.state === 'closed') issue.state = b.state;
      if (Array.isArray(b.labels)) issue.labels = b.labels as string[];
      issue.updated_at = now;
      return json(res, 200, view(repo, issue));
    }
    return error(res, 404, 'Not Found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: origin,
    token,
    issues: (repo) => repos.get(repo) ?? [],
    failNext: (n) => {
      failures = n;
    },
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
