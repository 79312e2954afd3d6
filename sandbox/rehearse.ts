/**
 * A rehearsal: a team's own caller workflow (the deploy.yml that calls the playbook) run on the sandbox.
 * The called playbook gets the caller's `with:` except what names the team's production world: the
 * Vercel API, the hosts preflight and post-validate probe, the backup manifest URL. Those point at the
 * emulators, and every such change is listed, as is every secret the caller passes and what stands in for it.
 */
import { existsSync, globSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { seedCiRun } from './ci-run.js';
import { infraWorkloads, type RehearsalInfra } from './infra-demo.js';
import {
  CLOCK_WAIVER,
  INCIDENTS_PATH,
  type PlaybookSandbox,
  REPOSITORY,
  SANDBOX_NOW,
  SANDBOX_SHA,
  SANDBOX_WAIVERS,
  type SandboxRelease,
} from './playbook.js';
import { standInBackupHistory, standInReports } from './sample-app.js';
import { type CheckoutAddition, callerRoot, teamCheckout } from './team-checkout.js';
import type { SiteResponse } from './vercel/serving.js';
import {
  localActionPath,
  SELF_REPOSITORY,
  type WorkflowEvent,
  type WorkflowRun,
} from './workflow/run-workflow.js';
import { loadWorkflow, type WorkflowFile } from './workflow/workflow-file.js';

export interface RehearsalChange {
  input: string;
  from: string;
  to: string;
}

export interface Rehearsal {
  release: SandboxRelease;
  run: WorkflowRun;
  /** "Re-run failed jobs" of a run of this rehearsal. */
  rerun(previous: WorkflowRun): Promise<WorkflowRun>;
  /** The inputs pointed at the sandbox, as given and as run. */
  changed: RehearsalChange[];
  /** Every secret the caller reads, and what the sandbox gave it (never the value). */
  secrets: { name: string; standIn: string }[];
  /**
   * The caller reads its reports from CI (reports-workflow): the sandbox's run of that workflow for the
   * deployed commit, green, with the artifact holding the sandbox's stand-in reports.
   */
  ciRun?: RehearsalCiRun;
  /**
   * The team's repository the workspace was copied from (a caller in a repository), and what the sandbox
   * added to that copy; none for a caller elsewhere, which deploys the sandbox's sample checkout.
   */
  checkout?: { repository: string; added: CheckoutAddition[] };
  /**
   * Makes one of the stand-in API routes (e.g. /api/health/database) answer `status` from now on, as an
   * outage of the platform would; undefined heals it.
   */
  outage(path: string, status: number | undefined): void;
  /** The caller's infrastructure step (infra-manifests): its namespace, and each workload's state before the run. */
  infra?: RehearsalInfra;
}

export interface RehearsalCiRun {
  workflow: string;
  runId: number;
  artifact: string;
  /** Paths inside the artifact: the checkout's reports, or the sandbox's stand-ins. */
  files: string[];
}

export interface RehearseOptions {
  /** The caller workflow file. */
  caller: string;
  healthy?: boolean;
  approve?: (job: string, environment: string) => Promise<boolean>;
  onEvent?: (e: WorkflowEvent) => void;
}

const PLAYBOOK = './.github/workflows/playbook.yml';
/** What stands in for the caller's VALIDATION_TOKEN: the token the stand-in API routes accept. */
export const VALIDATION_TOKEN = 'sandbox-validation-token';

/** The platform's API routes that the default post-validate checks call: the emulator serves only files. */
export const STAND_IN_ROUTES: { path: string; method?: string; bearer?: boolean; json: unknown }[] = [
  { path: '/api/health/database', json: { status: 'ok' } },
  { path: '/api/health/compliance', json: { status: 'ok' } },
  ...['lgpd', 'anvisa', 'cfm'].map((r) => ({
    path: `/api/compliance/${r}/status`,
    json: { compliant: true, regulation: r },
  })),
  { path: '/api/patients/validate', method: 'POST', bearer: true, json: { ok: true } },
  { path: '/api/appointments/test', method: 'POST', bearer: true, json: { ok: true } },
  { path: '/api/medical-records/test', method: 'GET', bearer: true, json: { ok: true } },
];

const NOTIFY_STAND_INS: Record<string, string> = {
  SLACK_WEBHOOK_URL: 'Slack',
  TEAMS_WEBHOOK_URL: 'Teams',
  NOTIFY_WEBHOOK_URL: 'JSON webhook',
  STATUSPAGE_API_KEY: 'Statuspage',
  STATUSPAGE_PAGE_ID: 'Statuspage',
};

/** What stands in for each secret a caller of the playbook passes. */
export function secretStandIns(
  release: SandboxRelease,
  sandbox: PlaybookSandbox,
): Record<string, [string, string]> {
  return {
    VERCEL_TOKEN: [sandbox.vercel.token, "the Vercel emulator's token"],
    PREFLIGHT_VERCEL_TOKEN: [sandbox.vercel.token, "the Vercel emulator's token"],
    PRODUCTION_DATABASE_URL: [release.databaseUrl, 'the sandbox PostgreSQL database'],
    PREFLIGHT_DATABASE_URL: [release.databaseUrl, 'the sandbox PostgreSQL database'],
    BACKUP_PASSPHRASE: [release.passphrase, 'a sandbox passphrase'],
    VALIDATION_TOKEN: [VALIDATION_TOKEN, 'the token the stand-in API routes accept'],
    ...Object.fromEntries(
      ['KUBECONFIG', 'PREFLIGHT_KUBECONFIG'].map((n) => [
        n,
        [
          release.kubeconfig,
          `a kubeconfig of the sandbox's Kubernetes API emulator (namespace ${release.namespace})`,
        ] as [string, string],
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(sandbox.notify.secrets).map(([name, value]) => [
        name,
        [value, `the sandbox's ${NOTIFY_STAND_INS[name] ?? 'notification'} receiver`] as [string, string],
      ]),
    ),
  };
}

export const REHEARSAL_WAIVERS = 'rehearsal-waivers.json';

/**
 * The waivers file the rehearsal's gates read: the caller's own (its `waivers` input, read from the
 * caller's repository) with the sandbox's clock waiver added, written into the rehearsal's workspace; the
 * sandbox's alone when the caller gives none. A file the caller names but its repository lacks stops the
 * rehearsal, as it would stop the real run.
 */
export function rehearsalWaivers(callerFile: string, given: string, workspace: string): string {
  if (!given) return SANDBOX_WAIVERS;
  const source = resolve(callerRoot(callerFile), given);
  if (!existsSync(source))
    throw new Error(
      `waivers: ${given} is not in the caller's repository (${callerRoot(callerFile)}); the rehearsal reads the caller's own waivers from there`,
    );
  const parsed = parseYaml(readFileSync(source, 'utf8')) as { waivers?: unknown };
  const own = Array.isArray(parsed?.waivers) ? parsed.waivers : [];
  writeFileSync(
    join(workspace, REHEARSAL_WAIVERS),
    `${JSON.stringify({ waivers: [...own, CLOCK_WAIVER] }, null, 2)}\n`,
  );
  return REHEARSAL_WAIVERS;
}

/** The caller's job that calls the playbook, and its `with:`. */
function playbookWith(callerFile: string, workflow: WorkflowFile): Record<string, unknown> {
  const job = workflow.jobs.find((j) => j.call && localActionPath(j.call.uses) === PLAYBOOK);
  if (!job?.call)
    throw new Error(
      `${callerFile} has no job that calls the playbook: a rehearsal runs a caller with a job \`uses: ${SELF_REPOSITORY}/${PLAYBOOK.slice(2)}@v1\``,
    );
  return job.call.with;
}

/** The playbook job's literal `vercel-project`: the sandbox creates that project before the run. */
export function projectName(callerFile: string, workflow: WorkflowFile): string {
  const name = playbookWith(callerFile, workflow)['vercel-project'];
  if (typeof name !== 'string' || name.includes('${{'))
    throw new Error(`${callerFile}: the playbook job's vercel-project must be written out for a rehearsal`);
  return name;
}

/**
 * A caller that reads its reports from CI (reports-workflow, reports-artifact) gets the run its CI would
 * have made for the deployed commit: green, its artifact holding the sandbox's stand-in coverage and scans,
 * which move out of the checkout, so that preflight can only judge them through the artifact.
 */
async function seedCallersCi(
  sandbox: PlaybookSandbox,
  release: SandboxRelease,
  given: Record<string, unknown>,
): Promise<RehearsalCiRun | undefined> {
  const literal = (key: string) => (typeof given[key] === 'string' ? (given[key] as string).trim() : '');
  const workflow = literal('reports-workflow').replace(/^\.github\/workflows\//, '');
  const artifact = literal('reports-artifact');
  if (!workflow || !artifact) return undefined;
  const patterns = [literal('coverage-file'), ...literal('sarif-files').split('\n')]
    .map((p) => p.trim())
    .filter(Boolean);
  const found = [...new Set(patterns.flatMap((p) => globSync(p, { cwd: release.workspace })))].sort();
  // A team's checkout has no reports (its CI makes them): the sandbox's stand-ins, at the paths named.
  const contents =
    found.length > 0
      ? Object.fromEntries(found.map((f) => [f, readFileSync(join(release.workspace, f), 'utf8')] as const))
      : standInReports(literal('coverage-file'), literal('sarif-files').split('\n'));
  const files = Object.keys(contents).sort();
  for (const f of found) rmSync(join(release.workspace, f));
  // A folder left empty goes too: the checkout of a team that does not commit its reports has none.
  for (const dir of [...new Set(found.map((f) => dirname(f)))]
    .filter((d) => d !== '.')
    .sort()
    .reverse())
    if (readdirSync(join(release.workspace, dir)).length === 0) rmdirSync(join(release.workspace, dir));
  const { runId } = await seedCiRun(sandbox.github, sandbox.artifacts, REPOSITORY, {
    workflow,
    sha: SANDBOX_SHA,
    conclusion: 'success',
    artifact: { name: artifact, files: contents },
  });
  return { workflow, runId, artifact, files };
}

/** A call's inputs with `rewrites` applied, and each input that changed: as given and as run. */
export function rewriteInputs(
  inputs: Record<string, unknown>,
  rewrites: Record<string, (value: string) => string>,
): { out: Record<string, unknown>; changes: RehearsalChange[] } {
  const out: Record<string, unknown> = { ...inputs };
  const changes: RehearsalChange[] = [];
  for (const [input, to] of Object.entries(rewrites)) {
    const from = String(inputs[input] ?? '');
    const value = to(from);
    if (value !== from) {
      out[input] = value;
      changes.push({ input, from, to: value });
    }
  }
  return { out, changes };
}

/**
 * A project's site on the emulator: the default checks' API routes, the backup manifest, stand-in staging
 * and monitoring pages; the rewrites that point its call's inputs naming the production world there; and
 * `outage`, which makes one of its API routes fail as an outage of the platform would.
 */
export function standInProject(
  sandbox: PlaybookSandbox,
  release: SandboxRelease,
  callerFile: string,
): { rewrites: Record<string, (value: string) => string>; outage: Rehearsal['outage'] } {
  const name = release.name;
  const { vercel } = sandbox;
  const site = vercel.productionUrl(name);
  const host = new URL(site).host;

  const outages = new Map<string, number>();
  for (const route of STAND_IN_ROUTES) {
    vercel.handle(
      route.path,
      (req): SiteResponse => {
        const down = outages.get(route.path);
        if (down !== undefined) return { status: down, json: { status: 'down' } };
        return route.bearer && req.headers.authorization !== `Bearer ${VALIDATION_TOKEN}`
          ? { status: 401, json: { error: 'unauthorized' } }
          : { json: route.json };
      },
      { project: name, ...(route.method ? { method: route.method } : {}) },
    );
  }
  // Staging and monitoring pages answer as healthy; the production domain's own files are not shadowed.
  const standInPage = (path: string) => {
    if (path !== '/health') vercel.handle(path, () => ({ json: { status: 'ok' } }), { project: name });
  };
  const toSandbox = (url: string) => {
    const parsed = new URL(url);
    standInPage(parsed.pathname);
    return `${site}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  };
  const manifestPath = '/.rehearsal/nightly-backup.json';
  vercel.handle(
    manifestPath,
    () => ({
      json: standInBackupHistory(),
    }),
    { project: name },
  );

  const lines = (value: string, each: (line: string) => string) =>
    value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map(each);
  // `name=url` lines (or bare URLs), each URL moved to the sandbox with its path.
  const endpointLines = (v: string) =>
    lines(v, (l) => {
      const at = l.indexOf('=');
      return at < 0 ? toSandbox(l) : `${l.slice(0, at)}=${toSandbox(l.slice(at + 1))}`;
    }).join('\n');
  const rewrites: Record<string, (value: string) => string> = {
    'vercel-api-url': () => vercel.apiUrl,
    'vercel-team': () => vercel.teamId,
    'staging-endpoints': endpointLines,
    'monitoring-endpoints': endpointLines,
    'tls-hosts': (v) => [...new Set(lines(v, () => host))].join('\n'),
    'backup-manifest': (v) => (/^https?:\/\//.test(v) ? `${site}${manifestPath}` : v),
    // The sandbox's release serves the platform's incidents endpoint (none open).
    'security-incidents-url': (v) => (v ? `${site}${INCIDENTS_PATH}` : v),
    'production-url': (v) => (v ? site : v),
    'api-host-url': (v) => (v ? site : v),
    // The sandbox judges a night inside the default change window; the override is waived, visibly,
    // beside the caller's own waivers.
    'clock-override': (v) => v || SANDBOX_NOW,
    waivers: (v) => rehearsalWaivers(callerFile, v, release.workspace),
    'statuspage-api-url': () => sandbox.notify.statuspageApiUrl,
  };
  const outage = (path: string, status: number | undefined) => {
    if (!STAND_IN_ROUTES.some((r) => r.path === path))
      throw new Error(`${path} is not one of the rehearsal's stand-in API routes`);
    if (status === undefined) outages.delete(path);
    else outages.set(path, status);
  };
  return { rewrites, outage };
}

export async function rehearse(sandbox: PlaybookSandbox, opts: RehearseOptions): Promise<Rehearsal> {
  const workflow = await loadWorkflow(opts.caller);
  const name = projectName(opts.caller, workflow);
  const team = teamCheckout(opts.caller);
  // The caller's namespace, written out, is the release's on the Kubernetes emulator.
  const namespace = playbookWith(opts.caller, workflow)['infra-namespace'];
  const release = await sandbox.release({
    healthy: opts.healthy ?? true,
    name,
    appDir: '.',
    ...(team ? { checkout: team.workspace } : {}),
    ...(typeof namespace === 'string' && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)
      ? { namespace }
      : {}),
  });
  const given = playbookWith(opts.caller, workflow);
  const ciRun = await seedCallersCi(sandbox, release, given);
  const infra: RehearsalInfra | undefined = given['infra-manifests']
    ? {
        namespace: release.namespace,
        workloads: infraWorkloads(sandbox.kubernetes, release.namespace, given['infra-rollout-undo']),
      }
    : undefined;
  const { rewrites, outage } = standInProject(sandbox, release, opts.caller);
  const changed: RehearsalChange[] = [];
  const rewrite = (_job: string, inputs: Record<string, unknown>) => {
    const { out, changes } = rewriteInputs(inputs, rewrites);
    changed.splice(0, changed.length, ...changes);
    return out;
  };

  // Every secret the caller reads, by name: known ones get sandbox values, the others stay unset.
  const named = [
    ...new Set(
      [...readFileSync(opts.caller, 'utf8').matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(
        (m) => m[1] ?? '',
      ),
    ),
  ];
  const standIns = secretStandIns(release, sandbox);
  const secrets = Object.fromEntries(named.flatMap((n) => (standIns[n] ? [[n, standIns[n][0]]] : [])));
  const runOnce = (previous?: WorkflowRun) =>
    release.run({
      caller: { workflow, secrets, rewrite },
      ...(opts.approve ? { approve: opts.approve } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(previous ? { previous } : {}),
    });
  const run = await runOnce();
  return {
    release,
    run,
    rerun: (previous) => runOnce(previous),
    changed,
    secrets: named.map((n) => ({ name: n, standIn: standIns[n]?.[1] ?? 'not set in the rehearsal' })),
    ...(ciRun ? { ciRun } : {}),
    ...(infra ? { infra } : {}),
    ...(team
      ? { checkout: { repository: team.repository, added: checkoutAdditions(team.added, release.workspace) } }
      : {}),
    outage,
  };
}

/** The sandbox's additions to the team's checkout, with the waivers file made from the caller's own. */
function checkoutAdditions(added: CheckoutAddition[], workspace: string): CheckoutAddition[] {
  return existsSync(join(workspace, REHEARSAL_WAIVERS))
    ? [...added, { file: REHEARSAL_WAIVERS, what: "the caller's waivers with the sandbox's clock waiver" }]
    : added;
}
