import { fail, missingField, ok, page, type Route, type RouteContext } from './http.js';
import type { EmulatedIssue, GitHubState } from './state.js';

type Ctx = RouteContext<GitHubState>;

const view = (ctx: Ctx, i: EmulatedIssue) => ({
  id: i.number * 1000,
  number: i.number,
  html_url: `https://github.com/${ctx.repo}/issues/${i.number}`,
  url: `${ctx.origin}/repos/${ctx.repo}/issues/${i.number}`,
  title: i.title,
  body: i.body,
  state: i.state,
  labels: i.labels.map((name, k) => ({ id: k + 1, name })),
  created_at: i.created_at,
  updated_at: i.updated_at,
});

const find = (ctx: Ctx) => ctx.state.repo(ctx.repo).issues.find((i) => i.number === Number(ctx.params[0]));

const commentView = (
  ctx: RouteContext<GitHubState>,
  issue: number,
  c: { id: number; body: string; created_at: string },
) => ({
  id: c.id,
  url: `${ctx.origin}/repos/${ctx.repo}/issues/comments/${c.id}`,
  html_url: `https://github.com/${ctx.repo}/issues/${issue}#issuecomment-${c.id}`,
  body: c.body,
  user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
  created_at: c.created_at,
  updated_at: c.created_at,
});

/** The issues API as the rollback's incident record uses it: create, get, update, labels, list by label. */
export const issueRoutes: Route<GitHubState>[] = [
  {
    method: 'GET',
    path: /^\/issues$/,
    handle(ctx) {
      const labels = (ctx.query.get('labels') ?? '').split(',').filter(Boolean);
      const state = ctx.query.get('state') ?? 'open';
      const asc = ctx.query.get('direction') === 'asc';
      const matching = ctx.state
        .repo(ctx.repo)
        .issues.filter(
          (i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)),
        )
        .sort((a, z) => (asc ? a.number - z.number : z.number - a.number));
      return page(ctx, matching, (slice) => slice.map((i) => view(ctx, i)));
    },
  },
  {
    method: 'POST',
    path: /^\/issues$/,
    handle(ctx) {
      const b = ctx.body;
      if (typeof b.title !== 'string' || !b.title) return missingField('Issue', 'title');
      const list = ctx.state.repo(ctx.repo).issues;
      const now = ctx.state.now().toISOString();
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
      return ok(view(ctx, created), 201);
    },
  },
  {
    method: 'GET',
    path: /^\/issues\/(\d+)$/,
    handle(ctx) {
      const issue = find(ctx);
      return issue ? ok(view(ctx, issue)) : fail(404, 'Not Found');
    },
  },
  {
    method: 'PATCH',
    path: /^\/issues\/(\d+)$/,
    handle(ctx) {
      const issue = find(ctx);
      if (!issue) return fail(404, 'Not Found');
      const b = ctx.body;
      if (typeof b.title === 'string') issue.title = b.title;
      if (typeof b.body === 'string') issue.body = b.body;
      if (b.state === 'open' || b.state === 'closed') issue.state = b.state;
      if (Array.isArray(b.labels)) issue.labels = b.labels as string[];
      issue.updated_at = ctx.state.now().toISOString();
      return ok(view(ctx, issue));
    },
  },
  {
    method: 'POST',
    path: /^\/issues\/(\d+)\/labels$/,
    handle(ctx) {
      const issue = find(ctx);
      if (!issue) return fail(404, 'Not Found');
      for (const l of (ctx.body.labels as string[] | undefined) ?? [])
        if (!issue.labels.includes(l)) issue.labels.push(l);
      return ok(issue.labels.map((name, k) => ({ id: k + 1, name })));
    },
  },
  {
    method: 'GET',
    path: /^\/issues\/(\d+)\/comments$/,
    handle(ctx) {
      const issue = find(ctx);
      if (!issue) return fail(404, 'Not Found');
      const comments = ctx.state.repo(ctx.repo).comments.get(issue.number) ?? [];
      return page(ctx, comments, (slice) => slice.map((c) => commentView(ctx, issue.number, c)));
    },
  },
  {
    method: 'POST',
    path: /^\/issues\/(\d+)\/comments$/,
    handle(ctx) {
      const issue = find(ctx);
      if (!issue) return fail(404, 'Not Found');
      if (typeof ctx.body.body !== 'string' || !ctx.body.body) return missingField('IssueComment', 'body');
      const comments = ctx.state.repo(ctx.repo).comments;
      const list = comments.get(issue.number) ?? [];
      const comment = { id: ctx.state.id(), body: ctx.body.body, created_at: ctx.state.now().toISOString() };
      list.push(comment);
      comments.set(issue.number, list);
      return ok(commentView(ctx, issue.number, comment), 201);
    },
  },
];
