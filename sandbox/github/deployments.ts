import { fail, missingField, ok, page, type Route, type RouteContext } from './http.js';
import type { EmulatedDeployment, EmulatedDeploymentStatus, GitHubState } from './state.js';

type Ctx = RouteContext<GitHubState>;
const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'] as const;

const deploymentView = (ctx: Ctx, d: EmulatedDeployment) => ({
  id: d.id,
  node_id: `DE_${d.id}`,
  url: `${ctx.origin}/repos/${ctx.repo}/deployments/${d.id}`,
  statuses_url: `${ctx.origin}/repos/${ctx.repo}/deployments/${d.id}/statuses`,
  repository_url: `${ctx.origin}/repos/${ctx.repo}`,
  sha: d.sha,
  ref: d.ref,
  task: d.task,
  payload: d.payload,
  original_environment: d.environment,
  environment: d.environment,
  description: d.description,
  creator: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
  created_at: d.created_at,
  updated_at: d.statuses[0]?.created_at ?? d.created_at,
  transient_environment: d.transient_environment,
  production_environment: d.production_environment,
});

const statusView = (ctx: Ctx, d: EmulatedDeployment, s: EmulatedDeploymentStatus) => ({
  id: s.id,
  node_id: `DES_${s.id}`,
  url: `${ctx.origin}/repos/${ctx.repo}/deployments/${d.id}/statuses/${s.id}`,
  state: s.state,
  description: s.description,
  environment: s.environment,
  environment_url: s.environment_url,
  log_url: s.log_url,
  target_url: s.log_url,
  deployment_url: `${ctx.origin}/repos/${ctx.repo}/deployments/${d.id}`,
  repository_url: `${ctx.origin}/repos/${ctx.repo}`,
  creator: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
  created_at: s.created_at,
  updated_at: s.created_at,
});

const find = (ctx: Ctx) => ctx.state.repo(ctx.repo).deployments.find((d) => d.id === Number(ctx.params[0]));

function addStatus(
  state: GitHubState,
  d: EmulatedDeployment,
  s: Omit<EmulatedDeploymentStatus, 'id' | 'created_at'>,
) {
  const status = { ...s, id: state.id(), created_at: state.now().toISOString() };
  d.statuses.unshift(status);
  return status;
}

/**
 * Deployments and their statuses. As on GitHub: `required_contexts` left out means every commit status
 * and check must have passed (409 otherwise), and `auto_inactive` only retires earlier successful
 * deployments of non-production, non-transient environments: production ones stay until told.
 */
export const deploymentRoutes: Route<GitHubState>[] = [
  {
    method: 'POST',
    path: /^\/deployments$/,
    handle(ctx) {
      const b = ctx.body;
      if (typeof b.ref !== 'string' || !b.ref) return missingField('Deployment', 'ref');
      const repo = ctx.state.repo(ctx.repo);
      // No git behind the emulator: the ref is taken as the commit it names.
      const sha = b.ref;
      if (b.required_contexts === undefined) {
        const red = [
          ...(repo.commitStatuses.get(sha) ?? []).filter((s) => s.state !== 'success').map((s) => s.context),
          ...(repo.checkRuns.get(sha) ?? [])
            .filter((c) => !['success', 'neutral', 'skipped'].includes(c.conclusion ?? ''))
            .map((c) => c.name),
        ];
        if (red.length > 0) return fail(409, `Conflict: Commit status checks failed for ${b.ref}.`);
      }
      const environment = typeof b.environment === 'string' && b.environment ? b.environment : 'production';
      const d: EmulatedDeployment = {
        id: ctx.state.id(),
        sha,
        ref: b.ref,
        task: typeof b.task === 'string' ? b.task : 'deploy',
        environment,
        description: typeof b.description === 'string' ? b.description : '',
        payload: b.payload ?? {},
        transient_environment: b.transient_environment === true,
        production_environment:
          typeof b.production_environment === 'boolean'
            ? b.production_environment
            : environment === 'production',
        created_at: ctx.state.now().toISOString(),
        statuses: [],
      };
      repo.deployments.push(d);
      return ok(deploymentView(ctx, d), 201);
    },
  },
  {
    method: 'GET',
    path: /^\/deployments$/,
    handle(ctx) {
      const q = ctx.query;
      const matching = ctx.state
        .repo(ctx.repo)
        .deployments.filter(
          (d) =>
            (!q.get('sha') || d.sha === q.get('sha')) &&
            (!q.get('ref') || d.ref === q.get('ref')) &&
            (!q.get('task') || d.task === q.get('task')) &&
            (!q.get('environment') || d.environment === q.get('environment')),
        )
        .sort((a, z) => z.id - a.id);
      return page(ctx, matching, (slice) => slice.map((d) => deploymentView(ctx, d)));
    },
  },
  {
    method: 'GET',
    path: /^\/deployments\/(\d+)$/,
    handle(ctx) {
      const d = find(ctx);
      return d ? ok(deploymentView(ctx, d)) : fail(404, 'Not Found');
    },
  },
  {
    method: 'GET',
    path: /^\/deployments\/(\d+)\/statuses$/,
    handle(ctx) {
      const d = find(ctx);
      if (!d) return fail(404, 'Not Found');
      return page(ctx, d.statuses, (slice) => slice.map((s) => statusView(ctx, d, s)));
    },
  },
  {
    method: 'POST',
    path: /^\/deployments\/(\d+)\/statuses$/,
    handle(ctx) {
      const d = find(ctx);
      if (!d) return fail(404, 'Not Found');
      const b = ctx.body;
      if (!STATES.includes(b.state as (typeof STATES)[number]))
        return fail(422, 'Validation Failed', [
          { resource: 'DeploymentStatus', field: 'state', code: 'invalid' },
        ]);
      const str = (v: unknown) => (typeof v === 'string' ? v : '');
      if (typeof b.environment === 'string' && b.environment) d.environment = b.environment;
      const status = addStatus(ctx.state, d, {
        state: b.state as EmulatedDeploymentStatus['state'],
        description: str(b.description).slice(0, 140),
        environment: d.environment,
        environment_url: str(b.environment_url),
        log_url: str(b.log_url || b.target_url),
      });
      if (status.state === 'success' && b.auto_inactive !== false) {
        for (const other of ctx.state.repo(ctx.repo).deployments) {
          if (
            other.id !== d.id &&
            other.environment === d.environment &&
            !other.transient_environment &&
            !other.production_environment &&
            other.statuses[0]?.state === 'success'
          )
            addStatus(ctx.state, other, { ...other.statuses[0], state: 'inactive', description: '' });
        }
      }
      return ok(statusView(ctx, d, status), 201);
    },
  },
];
