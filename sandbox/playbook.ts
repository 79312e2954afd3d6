/**
 * The whole sandbox the playbook workflow runs against on one machine: the Vercel and GitHub emulators,
 * a throwaway PostgreSQL cluster, and a sample app (a page, a health file, one dbmate migration) with a
 * compliance manifest and a checks file; on GitHub, the commit's approved pull request and green checks.
 * The end-to-end test and `npm run demo` share it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/policy/package-root.js';
import { DEFAULT_REQUIRED_ENV } from '../src/preflight/collectors/vercel-env.js';
import { type ArtifactService, startArtifactService } from './artifact/service.js';
import { type GitHubEmulator, startGitHubEmulator } from './github/emulator.js';
import { reviewDeployment } from './github/review.js';
import { type KubernetesEmulator, startKubernetesEmulator } from './kubernetes/emulator.js';
import {
  type NotifySandbox,
  SANDBOX_NOTIFY_CHANNELS,
  SANDBOX_NOTIFY_FILE,
  startNotifySandbox,
} from './notify.js';
import { type PgCluster, startPostgres } from './postgres/cluster.js';
import {
  SAMPLE_MANIFESTS,
  SAMPLE_WORKLOAD,
  sampleDeployment,
  standInBackupHistory,
  writeSampleCheckout,
} from './sample-app.js';
import { startVercelEmulator, type VercelEmulator } from './vercel/emulator.js';
import { runWorkflow, type WorkflowEvent, type WorkflowRun } from './workflow/run-workflow.js';
import { loadWorkflow, type WorkflowFile } from './workflow/workflow-file.js';

// The clone, or the installed npm package: where the workflows and the actions' bundles are.
const ROOT = packageRoot();
export const REPOSITORY = 'neonpro/healthcare-platform';
/** Inside the default change window, and the compliance example's attestations are current then. */
export const SANDBOX_NOW = '2026-03-10T05:30:00Z';
/** The platform's recent security incidents (the operations guide's endpoint): none open in the sandbox. */
export const INCIDENTS_PATH = '/api/security/incidents/recent';
/**
 * The sandbox judges a fixed night through compliance-gate's clock-override input, which fails
 * compliance.clock-not-overridden (critical) unless waived: this is the waiver, approved by an approver
 * the sandbox repository lists, shown in the compliance summary and recorded in the evidence.
 */
export const SANDBOX_WAIVERS = 'sandbox-waivers.json';
export const CLOCK_WAIVER = {
  rule: 'compliance.clock-not-overridden',
  reason: 'Sandbox: the demo judges a fixed night inside the change window',
  approver: 'cto@neonpro.healthcare',
  ticket: 'DEMO-1',
  expiresAt: '2026-04-30T00:00:00Z',
};
/**
 * A team checkout's database holds nothing of the team's schema, so its migrations apply from scratch;
 * only this schema of the sandbox's, so the pre-deploy backup has rows to verify as a real one would.
 */
export const SEED_SCHEMA = 'rehearsal_seed';
/** The commit every sandbox release deploys: merged through an approved pull request, checks green. */
export const SANDBOX_SHA = '5ea1f00d5ea1f00d5ea1f00d5ea1f00d5ea1f00d';
/** Who starts the sandbox's runs: not a reviewer, so never their own approver. */
const ACTOR = 'release-engineer';
/**
 * The playbook's three deploy roles, each approving through an environment of its own (the sign-off file
 * every sandbox release commits, given to the playbook as the workflow input sign-off). The CTO may
 * review every role's environment, as a stand-in: GitHub lets one person release all three jobs, and
 * only approval-check's sign-off rule (a distinct person per role) stops that.
 */
export const SANDBOX_SIGN_OFF = '.github/deploy-gates/sign-off.yml';
/** The playbook's emergency authority (CTO and Head of Operations), for rollback.yml's sign-off input. */
export const SANDBOX_EMERGENCY_SIGN_OFF = '.github/deploy-gates/emergency-sign-off.yml';
export const SANDBOX_EMERGENCY_ROLES = [
  { name: 'CTO', environment: 'production-cto', reviewers: ['cto'] },
  {
    name: 'Head of Operations',
    environment: 'production-operations',
    reviewers: ['head-of-operations', 'cto'],
  },
] as const;
export const SANDBOX_ROLES = [
  {
    name: 'Medical director',
    environment: 'production-medical-director',
    reviewers: ['medical-director', 'cto'],
  },
  {
    name: 'Compliance officer',
    environment: 'production-compliance-officer',
    reviewers: ['compliance-officer', 'cto'],
  },
  { name: 'CTO', environment: 'production-cto', reviewers: ['cto'] },
] as const;

export interface PlaybookSandbox {
  vercel: VercelEmulator;
  github: GitHubEmulator;
  artifacts: ArtifactService;
  pg: PgCluster;
  /** The communication plan's channels: Slack, Teams, webhook and Statuspage receivers. */
  notify: NotifySandbox;
  /** The cluster of the infrastructure step (infra-manifests): a Kubernetes API the real kubectl accepts. */
  kubernetes: KubernetesEmulator;
  close(): Promise<void>;
  /**
   * A fresh project, database and app; `healthy: false` ships a release whose health check fails. `name`
   * names the Vercel project and database (default clinicN), `appDir` the app's folder (default app).
   * `checkout` deploys that folder (a team's checkout, see team-checkout.ts) instead of the sample app:
   * nothing of the sandbox's is written into it, and the database starts empty for its migrations.
   * `namespace` (default the name) is the release's namespace on the Kubernetes emulator: the sample
   * app's Deployment runs there at release 1, which its checkout's k8s/ takes to release 2.
   */
  release(opts: {
    healthy: boolean;
    name?: string;
    appDir?: string;
    checkout?: string;
    namespace?: string;
  }): Promise<SandboxRelease>;
}

/** A team's own workflow that calls the playbook, run in place of the playbook itself. */
export interface SandboxCaller {
  workflow: WorkflowFile;
  secrets: Record<string, string>;
  /** The called playbook's inputs, pointed at the sandbox. */
  rewrite: (job: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /** The checkout a call of the playbook runs in (a matrix over projects: each project's); default the release's. */
  workspace?: (job: string, inputs: Record<string, unknown>) => string | undefined;
}

/** An approver's review, as they give it in GitHub's "Review deployments" dialog. */
export interface SandboxReview {
  /** The reviewer's login: one of the environment's required reviewers, or GitHub refuses the review. */
  reviewer: string;
  state: 'approved' | 'rejected';
  comment: string;
}

/** Asked when a job waits for an environment: yes/no (reviewed by SANDBOX_REVIEWER) or a review. */
export type ApproveCallback = (job: string, environment: string) => Promise<boolean | SandboxReview>;

/** Who reviews when a test or the demo answers only yes or no. */
export const SANDBOX_REVIEWER = 'medical-director';

export interface SandboxRelease {
  name: string;
  previousDeploymentId: string;
  workspace: string;
  /** The release's database, as its secrets name it. */
  databaseUrl: string;
  passphrase: string;
  /** The release's namespace on the Kubernetes emulator, and a kubeconfig whose context is in it. */
  namespace: string;
  kubeconfig: string;
  /**
   * The playbook inputs and secrets of its infrastructure step for the sample app: its k8s/ applied, its
   * Deployment undone by the rollback (give them as `run`'s inputs and secrets).
   */
  infra: { inputs: Record<string, string>; secrets: Record<string, string> };
  run(opts?: {
    previous?: WorkflowRun;
    /** With `previous`: "Re-run all jobs" rather than "Re-run failed jobs". */
    rerunAll?: boolean;
    /**
     * Asked when a job waits for an environment: yes/no (reviewed by SANDBOX_REVIEWER) or a review. The
     * review goes through GitHub's pending-deployments endpoint of the emulator, as in GitHub's UI.
     */
    approve?: ApproveCallback;
    onEvent?: (e: WorkflowEvent) => void;
    /** The compliance gate's clock-override (the change window is judged by it); default SANDBOX_NOW (inside it). */
    now?: string;
    /** Workflow inputs and secrets over the sandbox's (a wiring mistake, a checks file). */
    inputs?: Record<string, unknown>;
    secrets?: Record<string, string>;
    /** Runs this caller instead of the playbook with the sandbox's inputs (a rehearsal). */
    caller?: SandboxCaller;
  }): Promise<WorkflowRun>;
  /**
   * The manual rollback workflow (rollback.yml) started by on-call for an earlier playbook run; `approve`
   * answers the emergency roles of a sign-off file, as `run`'s does.
   */
  rollback(opts: {
    runId: string;
    reason: string;
    inputs?: Record<string, unknown>;
    /** Secrets over the sandbox's (the notification receivers'). */
    secrets?: Record<string, string>;
    approve?: ApproveCallback;
  }): Promise<WorkflowRun>;
}

/** The sample's database rows and checkout, with the files the sandbox's inputs name. */
async function sampleWorld(
  pg: PgCluster,
  name: string,
  opts: { healthy: boolean; appDir: string },
): Promise<string> {
  await pg.psql(
    `CREATE TABLE patients (id serial PRIMARY KEY, name text); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,30) g;`,
    name,
  );
  const { workspace: ws } = writeSampleCheckout(opts);
  mkdirSync(join(ws, '.github/deploy-gates'), { recursive: true });
  writeFileSync(join(ws, '.github/deploy-gates/approvers'), 'cto@neonpro.healthcare\n');
  writeFileSync(join(ws, SANDBOX_WAIVERS), JSON.stringify({ waivers: [CLOCK_WAIVER] }, null, 2));
  writeFileSync(join(ws, SANDBOX_NOTIFY_CHANNELS), SANDBOX_NOTIFY_FILE);
  for (const [file, roles] of [
    [SANDBOX_SIGN_OFF, SANDBOX_ROLES],
    [SANDBOX_EMERGENCY_SIGN_OFF, SANDBOX_EMERGENCY_ROLES],
  ] as const)
    writeFileSync(
      join(ws, file),
      `${JSON.stringify({ selfApproval: false, roles: roles.map(({ name, environment }) => ({ name, environment })) }, null, 2)}\n`,
    );
  writeFileSync(
    join(ws, 'checks.json'),
    JSON.stringify({
      checks: [
        {
          name: 'health',
          url: '/health',
          tags: ['health'],
          expect: { json: { '/status': { equals: 'ok' } } },
        },
      ],
    }),
  );
  // The backup history: the nightly backup (an hour old by the real clock preflight reads) and the
  // monthly restore test.
  writeFileSync(join(ws, 'nightly-backup.json'), JSON.stringify(standInBackupHistory()));
  return ws;
}

export async function startPlaybookSandbox(): Promise<PlaybookSandbox> {
  const [vercel, github, pg, artifacts, notify, kubernetes] = await Promise.all([
    startVercelEmulator({ queuedMs: 0, buildMs: 0 }),
    startGitHubEmulator(),
    startPostgres(),
    startArtifactService({ repository: REPOSITORY }),
    startNotifySandbox(),
    startKubernetesEmulator(),
  ]);
  // GitHub serves the artifact endpoints on its API: a step's findBy download (preflight's reports from CI,
  // a rollback's backup of another run) reaches the artifact service through GITHUB_API_URL.
  github.useArtifactService(artifacts);
  github.protectBranch(REPOSITORY, 'main', ['ci']);
  github.addCheckRun(REPOSITORY, SANDBOX_SHA, { name: 'ci', status: 'completed', conclusion: 'success' });
  github.addPullRequest(
    REPOSITORY,
    { number: 42, title: 'Consent records', shas: [SANDBOX_SHA], baseRef: 'main', merged: true },
    [{ user: 'clinical-lead', state: 'APPROVED' }],
  );
  // The approvers of the README, a run's author cannot approve it, only protected branches deploy.
  github.setEnvironment(REPOSITORY, 'production', {
    reviewers: [
      { type: 'User', name: 'medical-director' },
      { type: 'User', name: 'compliance-officer' },
      { type: 'User', name: 'cto' },
    ],
    preventSelfReview: true,
    branchPolicy: { protected_branches: true, custom_branch_policies: false },
  });
  for (const role of [...SANDBOX_ROLES, ...SANDBOX_EMERGENCY_ROLES])
    github.setEnvironment(REPOSITORY, role.environment, {
      reviewers: role.reviewers.map((name) => ({ type: 'User' as const, name })),
      preventSelfReview: true,
      branchPolicy: { protected_branches: true, custom_branch_policies: false },
    });
  const [workflow, rollbackWorkflow] = await Promise.all([
    loadWorkflow(join(ROOT, '.github/workflows/playbook.yml')),
    loadWorkflow(join(ROOT, '.github/workflows/rollback.yml')),
  ]);
  let n = 0;
  let runs = 0;
  const nextRunId = () => String(Date.now() * 10 + (++runs % 10));
  /**
   * A run as GitHub sees it: each approval asked through the pending-deployments review endpoint (yes/no
   * is SANDBOX_REVIEWER's review), and each job's start and end reported, so the approval's time and the
   * first change's are GitHub's.
   */
  const onGitHub = (
    runId: string,
    attempt: number,
    decide: ApproveCallback = async () => true,
    onEvent?: (e: WorkflowEvent) => void,
  ) => ({
    approve: async (job: string, environment: string) => {
      github.waitForApproval(REPOSITORY, { runId: Number(runId), attempt, actor: ACTOR, job, environment });
      const answer = await decide(job, environment);
      const review: SandboxReview =
        typeof answer === 'boolean'
          ? {
              reviewer: SANDBOX_REVIEWER,
              state: answer ? 'approved' : 'rejected',
              comment: answer ? 'Summaries read; approved' : 'Rejected',
            }
          : answer;
      const result = await reviewDeployment({
        apiUrl: github.apiUrl,
        token: github.userToken(review.reviewer),
        repository: REPOSITORY,
        runId,
        environment,
        state: review.state,
        comment: review.comment,
      });
      // GitHub refusing the review (not a reviewer, self-review) leaves the job waiting: not approved.
      return result.ok && review.state === 'approved';
    },
    onEvent: (e: WorkflowEvent) => {
      if (e.type === 'job-start')
        github.startJob(REPOSITORY, { runId: Number(runId), attempt, actor: ACTOR, job: e.job });
      if (e.type === 'job-end')
        github.finishJob(REPOSITORY, Number(runId), e.job.name ?? e.job.id, e.job.result);
      onEvent?.(e);
    },
  });
  return {
    vercel,
    github,
    artifacts,
    pg,
    notify,
    kubernetes,
    close: async () => {
      await Promise.all([
        vercel.close(),
        github.close(),
        pg.stop(),
        artifacts.close(),
        notify.close(),
        kubernetes.close(),
      ]);
    },
    async release({ healthy, name = `clinic${++n}`, appDir = 'app', checkout, namespace = name }) {
      // The operations guide's production variables, so preflight's vercel-env rule passes.
      await vercel.createProject({
        name,
        env: DEFAULT_REQUIRED_ENV.map((key) => ({ key, value: 'set', target: ['production'] })),
      });
      const v1 = await vercel.seedDeployment({
        project: name,
        target: 'production',
        files: { health: '{"status":"ok"}' },
      });
      vercel.handle(
        INCIDENTS_PATH,
        () => ({
          json: {
            incidents: [{ id: 'INC-1', severity: 'high', status: 'resolved', title: 'Closed last week' }],
          },
        }),
        { project: name },
      );
      await pg.createDatabase(name);
      if (checkout)
        await pg.psql(
          `CREATE SCHEMA ${SEED_SCHEMA}; CREATE TABLE ${SEED_SCHEMA}.rows (id int); INSERT INTO ${SEED_SCHEMA}.rows SELECT generate_series(1, 30);`,
          name,
        );
      const ws = checkout ?? (await sampleWorld(pg, name, { healthy, appDir }));
      // The cluster: the release's namespace, where the sample app's workload runs its release 1.
      kubernetes.seed({ kind: 'Namespace', metadata: { name: namespace } });
      if (!checkout) {
        const previous = sampleDeployment(1);
        kubernetes.seed({ ...previous, metadata: { ...(previous.metadata as object), namespace } });
      }
      const kubeconfig = kubernetes.kubeconfig(namespace);
      const backups = mkdtempSync(join(tmpdir(), 'dg-playbook-backups-'));
      const databaseUrl = `${pg.url(name)}?sslmode=disable`;
      const passphrase = 'sandbox-passphrase';
      // What both workflows share: the same repository, commit and API endpoints.
      const shared = {
        repoRoot: ROOT,
        workspace: ws,
        github: { token: github.token, repository: REPOSITORY, sha: SANDBOX_SHA },
        // backup-storage: artifact uploads to the Actions results service, as on a hosted runner.
        actionsRuntime: (runId: string, job: string, attempt: number) =>
          artifacts.env(runId, job, { attempt }),
      };
      const endpoints = { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl };
      const secrets = {
        VERCEL_TOKEN: vercel.token,
        PRODUCTION_DATABASE_URL: databaseUrl,
        BACKUP_PASSPHRASE: passphrase,
      };
      return {
        name,
        previousDeploymentId: v1.id,
        workspace: ws,
        databaseUrl,
        passphrase,
        namespace,
        kubeconfig,
        infra: {
          inputs: {
            'infra-manifests': SAMPLE_MANIFESTS,
            'infra-namespace': namespace,
            'infra-rollout-undo': `deployment/${SAMPLE_WORKLOAD}`,
          },
          secrets: { KUBECONFIG: kubeconfig, PREFLIGHT_KUBECONFIG: kubeconfig },
        },
        run: async (opts = {}) => {
          const { caller } = opts;
          // GitHub's clock is the sandbox's night too: the approval check judges the window by it.
          github.setClock(opts.now ?? SANDBOX_NOW);
          const runId = opts.previous?.runId ?? nextRunId();
          const attempt = opts.previous ? opts.previous.attempt + 1 : 1;
          const { approve, onEvent } = onGitHub(runId, attempt, opts.approve, opts.onEvent);
          const run = await runWorkflow({
            ...shared,
            ...(caller
              ? {
                  workflow: caller.workflow,
                  secrets: caller.secrets,
                  rewriteCallInputs: caller.rewrite,
                  ...(caller.workspace ? { callWorkspace: caller.workspace } : {}),
                }
              : { workflow }),
            inputs: caller
              ? {}
              : {
                  'vercel-project': name,
                  'vercel-team': vercel.teamId,
                  'vercel-api-url': vercel.apiUrl,
                  'working-directory': appDir,
                  'staging-endpoints': `staging=${vercel.productionUrl(name)}/health`,
                  'monitoring-endpoints': `status=${vercel.productionUrl(name)}/health`,
                  'tls-hosts': new URL(vercel.productionUrl(name)).host,
                  'backup-manifest': 'nightly-backup.json',
                  'security-incidents-url': `${vercel.productionUrl(name)}${INCIDENTS_PATH}`,
                  'coverage-file': 'coverage/lcov.info',
                  'sarif-files': 'security/*.sarif',
                  'backup-storage': 'path',
                  'backup-path': backups,
                  checks: 'checks.json',
                  waivers: SANDBOX_WAIVERS,
                  'clock-override': opts.now ?? SANDBOX_NOW,
                  ...opts.inputs,
                },
            // Preflight reads with its own credentials; here the same values stand in for read-only ones.
            ...(caller
              ? {}
              : {
                  secrets: {
                    ...secrets,
                    PREFLIGHT_DATABASE_URL: databaseUrl,
                    PREFLIGHT_VERCEL_TOKEN: vercel.token,
                    ...opts.secrets,
                  },
                }),
            env: endpoints,
            github: { ...shared.github, actor: ACTOR, triggering_actor: ACTOR },
            runId,
            approve,
            onEvent,
            ...(opts.previous ? { previous: opts.previous } : {}),
            ...(opts.rerunAll ? { rerunAll: true } : {}),
          });
          // What GitHub's API then says of the run: the caller's workflow, dispatched on the protected main.
          github.addWorkflowRun(REPOSITORY, {
            id: Number(run.runId),
            path: '.github/workflows/deploy.yml',
            event: 'workflow_dispatch',
            head_branch: 'main',
            head_sha: SANDBOX_SHA,
            status: 'completed',
            conclusion: run.result,
          });
          return run;
        },
        rollback: ({ runId, reason, inputs, secrets: more, approve }) => {
          const rollbackRun = nextRunId();
          return runWorkflow({
            ...shared,
            ...onGitHub(rollbackRun, 1, approve),
            runId: rollbackRun,
            github: { ...shared.github, actor: ACTOR, triggering_actor: ACTOR },
            workflow: rollbackWorkflow,
            inputs: {
              'run-id': runId,
              reason,
              'vercel-project': name,
              'vercel-team': vercel.teamId,
              'production-url': vercel.productionUrl(name),
              'vercel-api-url': vercel.apiUrl,
              ...inputs,
            },
            secrets: { ...secrets, ...more },
            env: endpoints,
          });
        },
      };
    },
  };
}
