/**
 * A GitHub REST emulator on loopback for what the actions ask of GitHub: issues (the incident record),
 * deployments and their statuses (vercel-deploy, rollback), a change's review record (preflight:
 * pull requests of a commit, reviews, check runs, commit statuses, required status checks; the protection
 * of an environment), and team memberships (who may approve a waiver). GitHub's
 * paths, fields, status codes and error shape, token auth (401 "Bad credentials") and 5xx on demand, so
 * Octokit talks to it unchanged through `baseUrl`. Tests seed the review record directly.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArtifactService } from '../artifact/service.js';
import { approvalRoutes } from './approvals.js';
import { deploymentRoutes } from './deployments.js';
import { type EmulatedEnvironment, environmentRoutes } from './environments.js';
import { fail, type Route, readJson, send } from './http.js';
import { issueRoutes } from './issues.js';
import { reviewRoutes } from './reviews.js';
import { runRoutes } from './runs.js';
import {
  type EmulatedCheckRun,
  type EmulatedDeployment,
  type EmulatedIssue,
  type EmulatedPullRequest,
  type EmulatedReview,
  type EmulatedTeamMember,
  type EmulatedWorkflowRun,
  GitHubState,
} from './state.js';
import { teamMembership } from './teams.js';

export type { EmulatedDeployment, EmulatedIssue, EmulatedWorkflowRun } from './state.js';

export interface GitHubEmulator {
  apiUrl: string;
  token: string;
  issues(repo: string): EmulatedIssue[];
  deployments(repo: string): EmulatedDeployment[];
  addPullRequest(repo: string, pr: EmulatedPullRequest, reviews?: EmulatedReview[]): void;
  addCheckRun(repo: string, sha: string, run: EmulatedCheckRun): void;
  addCommitStatus(repo: string, sha: string, status: { context: string; state: string }): void;
  protectBranch(repo: string, branch: string, requiredChecks: string[]): void;
  /** Creates or changes an environment's protection; unset fields are GitHub's defaults (none). */
  setEnvironment(repo: string, name: string, protection?: Partial<EmulatedEnvironment>): void;
  addTeamMember(org: string, slug: string, login: string, member?: Partial<EmulatedTeamMember>): void;
  /**
   * Records (or replaces) a workflow run that `GET /actions/runs/{id}` answers and
   * `GET /actions/workflows/{workflow_id}/runs` lists (its path's file name, or the workflow's id).
   */
  addWorkflowRun(repo: string, run: EmulatedWorkflowRun): void;
  /**
   * Serves the artifact REST endpoints (a run's artifacts, an artifact's zip) from the artifact service,
   * as GitHub serves them on its API: @actions/artifact's `findBy` calls GITHUB_API_URL, which is this
   * emulator, with the run's token. See sandbox/artifact/README.md.
   */
  useArtifactService(service: Pick<ArtifactService, 'url' | 'githubToken'>): void;
  /** A token of `login`, for requests GitHub attributes to that user (an approver's review). */
  userToken(login: string): string;
  /** GitHub's clock from now on: `iso`, running on from the moment of the call. */
  setClock(iso: string): void;
  /** GitHub's clock: what it records as the time of a review, a job's start, a deployment. */
  now(): Date;
  /**
   * A job of run `runId` (attempt `attempt`, started by `actor`) now waits for `environment`'s reviewers, as
   * GitHub holds a job with `environment:`; reviews go through `POST /actions/runs/{id}/pending_deployments`.
   */
  waitForApproval(
    repo: string,
    run: { runId: number; attempt: number; actor: string; job: string; environment: string },
  ): void;
  /** A job has started (the runner reports it to GitHub): its started_at, unless its approval set it. */
  startJob(repo: string, run: { runId: number; attempt: number; actor: string; job: string }): void;
  /** A job has ended (the runner reports it to GitHub): its completed_at. */
  finishJob(repo: string, runId: number, job: string, conclusion: string): void;
  /** The next `n` requests answer 502. */
  failNext(n: number): void;
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

const ROUTES: Route<GitHubState>[] = [
  ...issueRoutes,
  ...deploymentRoutes,
  ...reviewRoutes,
  ...environmentRoutes,
  ...runRoutes,
  ...approvalRoutes,
];

/** The artifact REST paths (after `/repos/{owner}/{repo}`) the artifact service answers. */
const ARTIFACT_PATH = /^\/actions\/(?:runs\/\d+\/artifacts|artifacts\/\d+(?:\/zip)?)$/;

/** The artifact service's answer, as is (a zip's 302 to a signed URL included), under its own token. */
async function forwardToArtifacts(
  res: ServerResponse,
  service: Pick<ArtifactService, 'url' | 'githubToken'>,
  url: URL,
): Promise<void> {
  const answer = await fetch(`${service.url}${url.pathname}${url.search}`, {
    headers: { authorization: `token ${service.githubToken}`, accept: 'application/json' },
    redirect: 'manual',
  });
  const headers: Record<string, string> = {
    'content-type': answer.headers.get('content-type') ?? 'application/json; charset=utf-8',
  };
  const location = answer.headers.get('location');
  if (location) headers.location = location;
  res.writeHead(answer.status, headers);
  res.end(Buffer.from(await answer.arrayBuffer()));
}

export async function startGitHubEmulator(): Promise<GitHubEmulator> {
  const token = `ghs_${randomBytes(12).toString('hex')}`;
  const state = new GitHubState();
  // The run's own token acts as the GitHub Actions app; each approver has a token of their own.
  const users = new Map<string, string>([[token, 'github-actions[bot]']]);
  const requests: GitHubEmulator['requests'] = [];
  let failures = 0;
  let origin = '';
  let artifacts: Pick<ArtifactService, 'url' | 'githubToken'> | undefined;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? '';
    requests.push({ method, path: url.pathname });
    const now = state.now();
    if (failures > 0) {
      failures--;
      return send(res, fail(502, 'Server Error'), now);
    }
    const login = users.get(/^(?:token|Bearer) (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (!login) return send(res, fail(401, 'Bad credentials'), now);
    const membership = method === 'GET' ? teamMembership(state, url.pathname, origin) : undefined;
    if (membership) return send(res, membership, now);
    const m = /^\/repos\/([^/]+\/[^/]+)(\/.*)$/.exec(url.pathname);
    if (artifacts && method === 'GET' && ARTIFACT_PATH.test(m?.[2] ?? ''))
      return forwardToArtifacts(res, artifacts, url).catch(() => send(res, fail(502, 'Server Error'), now));
    for (const route of m ? ROUTES : []) {
      const params = route.method === method ? route.path.exec(m?.[2] ?? '') : null;
      if (!params) continue;
      const body = method === 'GET' ? {} : await readJson(req);
      if (!body) return send(res, fail(400, 'Problems parsing JSON'), now);
      return send(
        res,
        route.handle({
          state,
          repo: m?.[1] ?? '',
          params: params.slice(1),
          query: url.searchParams,
          body,
          origin,
          path: url.pathname,
          user: login,
        }),
        now,
      );
    }
    return send(res, fail(404, 'Not Found'), now);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: origin,
    token,
    issues: (repo) => state.repo(repo).issues,
    deployments: (repo) => state.repo(repo).deployments,
    addPullRequest(repo, pr, reviews = []) {
      state.repo(repo).pulls.push(pr);
      state.repo(repo).reviews.set(pr.number, reviews);
    },
    addCheckRun(repo, sha, run) {
      const r = state.repo(repo);
      r.checkRuns.set(sha, [...(r.checkRuns.get(sha) ?? []), run]);
    },
    addCommitStatus(repo, sha, status) {
      const r = state.repo(repo);
      r.commitStatuses.set(sha, [...(r.commitStatuses.get(sha) ?? []), status]);
    },
    protectBranch(repo, branch, requiredChecks) {
      state.repo(repo).protections.set(branch, requiredChecks);
    },
    setEnvironment(repo, name, protection = {}) {
      state.repo(repo).environments.set(name, {
        reviewers: [],
        preventSelfReview: false,
        waitTimerMinutes: 0,
        branchPolicy: null,
        canAdminsBypass: true,
        ...protection,
      });
    },
    addTeamMember(org, slug, login, member = {}) {
      state.teamMembers(org, slug).set(login.toLowerCase(), { role: 'member', state: 'active', ...member });
    },
    addWorkflowRun(repo, run) {
      const r = state.repo(repo);
      if (!r.workflows.has(run.path)) r.workflows.set(run.path, 160_000 + r.workflows.size + 1);
      const created_at = run.created_at ?? r.runs.get(run.id)?.created_at ?? state.now().toISOString();
      r.runs.set(run.id, { ...run, created_at });
    },
    useArtifactService(service) {
      artifacts = service;
    },
    userToken(login) {
      const existing = [...users].find(([, l]) => l === login)?.[0];
      if (existing) return existing;
      const t = `ghu_${randomBytes(12).toString('hex')}`;
      users.set(t, login);
      return t;
    },
    startJob(repo, { runId, attempt, actor, job }) {
      const r = state.repo(repo);
      let run = r.approvals.get(runId);
      if (!run) {
        run = { actor, pending: new Map(), reviews: [], jobs: [] };
        r.approvals.set(runId, run);
      }
      const known = run.jobs.find(
        (j) => j.name === job && j.run_attempt === attempt && j.status !== 'completed',
      );
      if (known) return;
      const now = state.now().toISOString();
      run.jobs.push({
        id: runId * 100 + run.jobs.length + 1,
        run_attempt: attempt,
        name: job,
        status: 'in_progress',
        conclusion: null,
        created_at: now,
        started_at: now,
        completed_at: null,
      });
    },
    finishJob(repo, runId, job, conclusion) {
      const run = state.repo(repo).approvals.get(runId);
      const last = run?.jobs.filter((j) => j.name === job).at(-1);
      if (!last || last.status === 'completed') return;
      Object.assign(last, { status: 'completed', conclusion, completed_at: state.now().toISOString() });
    },
    now: () => state.now(),
    setClock(iso) {
      const base = Date.parse(iso);
      const from = Date.now();
      state.now = () => new Date(base + Date.now() - from);
    },
    waitForApproval(repo, { runId, attempt, actor, job, environment }) {
      const r = state.repo(repo);
      let run = r.approvals.get(runId);
      if (!run) {
        run = { actor, pending: new Map(), reviews: [], jobs: [] };
        r.approvals.set(runId, run);
      }
      // A job waiting again (a later attempt) replaces its earlier wait; other jobs queue behind.
      run.pending.set(environment, [...(run.pending.get(environment) ?? []).filter((j) => j !== job), job]);
      run.jobs.push({
        id: runId * 100 + run.jobs.length + 1,
        run_attempt: attempt,
        name: job,
        status: 'waiting',
        conclusion: null,
        created_at: state.now().toISOString(),
        started_at: null,
        completed_at: null,
      });
    },
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
