/**
 * Everything a bad-input case runs against, and how the suite sees whether it changed anything: one
 * PostgreSQL cluster shared by all; per worker slot a Vercel and a GitHub emulator, a webhook receiver,
 * its own database and a watched folder holding the case's workspace, backup store and program log.
 * Cases run one at a time per slot, so every request, row and file a case touches is its own.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { reviewDeployment } from '../../sandbox/github/review.js';
import { findPgBinDir, type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { REPO_ROOT, RUN_DEFAULTS } from '../../sandbox/runner/run-bundle.js';
import { standInBackupHistory } from '../../sandbox/sample-app.js';
import { startVercelEmulator, type VercelEmulator } from '../../sandbox/vercel/emulator.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import { PathStore } from '../../src/backup/path-store.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { parseDatabaseUrl } from '../../src/db/connection.js';
import { PLAYBOOK_WIRING } from '../../src/plan/generated/playbook-wiring.js';
import { LCOV, sarif } from '../preflight/fixtures.js';
import { healthyApp, type ScriptedServer, scriptedServer } from '../support/scripted-server.js';
import type { ActionName } from './catalogue.js';
import { WORKSPACE_FIXTURES } from './catalogue.js';

export const KEY = 'bad-input-passphrase-4c1e';
export const TOKEN = 'bad-input-user-token-93ab';
const COMPLIANCE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/compliance/compliance.json'), 'utf8'));
// 02:30 in São Paulo: inside the default change window.
const INSIDE = '2026-03-10T05:30:00Z';
const TEMPLATE = 'bad_input_template';

export interface Slot {
  index: number;
  /** Watched: nothing in it may change in a bad-input case. */
  dir: string;
  db: string;
  pgBin: string;
  programLog: string;
  store: string;
  backup: { id: string; location: string };
  vercel: VercelEmulator;
  github: GitHubEmulator;
  hook: WebhookReceiver;
  cases: number;
  /** Kept open for the fingerprint (a SCRAM login per case costs more than the case); closed on reset. */
  client?: pg.Client;
}

export interface World {
  pg: PgCluster;
  app: ScriptedServer;
  slots: Slot[];
  close(): Promise<void>;
}

/**
 * pg_dump, pg_restore and psql through wrappers that log each start (version probes aside) into the
 * slot's watched folder: a program started shows up as a changed file.
 */
async function programWrappers(binDir: string, realBin: string, log: string): Promise<void> {
  mkdirSync(binDir, { recursive: true });
  for (const tool of ['pg_dump', 'pg_restore', 'psql', 'createdb', 'dropdb']) {
    const file = join(binDir, tool);
    writeFileSync(
      file,
      `#!/bin/sh\nif [ "$1" != "--version" ]; then echo "${tool} $*" >> "${log}"; fi\nexec "${realBin}/${tool}" "$@"\n`,
    );
    chmodSync(file, 0o755);
  }
}

export async function startWorld(slotCount: number): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'dg-bad-input-'));
  const [pg, app] = await Promise.all([startPostgres(), scriptedServer(healthyApp(TOKEN))]);
  const realBin = await findPgBinDir();
  await pg.createDatabase(TEMPLATE);
  await pg.psql(
    `CREATE TABLE patients (id serial PRIMARY KEY, name text, updated_at timestamptz DEFAULT now()); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,50) g;`,
    TEMPLATE,
  );
  const slots = await Promise.all(
    Array.from({ length: slotCount }, async (_, index): Promise<Slot> => {
      const dir = join(root, `slot${index}`);
      const store = join(dir, 'store');
      mkdirSync(store, { recursive: true });
      const programLog = join(dir, 'programs.log');
      const pgBin = join(root, `bin${index}`);
      await programWrappers(pgBin, realBin, programLog);
      const db = `bad_input_${index}`;
      const [vercel, github, hook] = await Promise.all([
        startVercelEmulator({ queuedMs: 0, buildMs: 0 }),
        startGitHubEmulator(),
        startWebhookReceiver(),
      ]);
      await pg.psql(`CREATE DATABASE ${db} TEMPLATE ${TEMPLATE}`);
      // The pre-deploy backup rollback restores; taken before the release's migration (consents) ran.
      const backup = await takeBackup({
        target: parseDatabaseUrl('database-url', pg.url(db)),
        tempDir: mkdtempSync(join(tmpdir(), 'dg-bi-tmp-')),
        repoRoot: mkdtempSync(join(tmpdir(), 'dg-bi-repo-')),
        id: `slot${index}-pre`,
        jobs: 1,
        compression: 1,
        verify: 'checksums',
        encryption: { kind: 'passphrase', passphrase: KEY },
        store: new PathStore(store),
        expectedLocation: `path:${store}/slot${index}-pre`,
        run: { repository: RUN_DEFAULTS.repository, runId: '1', runAttempt: 1, sha: 'abc' },
        log: () => {},
      });
      await pg.psql('CREATE TABLE consents (id int);', db);
      await vercel.createProject({ name: 'preflight-app', env: [{ key: 'DATABASE_URL', value: 'x' }] });
      return {
        index,
        dir,
        db,
        pgBin,
        programLog,
        store,
        backup: { id: backup.manifest.id, location: backup.location },
        vercel,
        github,
        hook,
        cases: 0,
      };
    }),
  );
  // The state a case must leave as it found it; reset puts it back after a case (or baseline) changed it.
  for (const slot of slots) await pg.psql(`CREATE DATABASE ${slot.db}_clean TEMPLATE ${slot.db}`);
  return {
    pg,
    app,
    slots,
    async close() {
      await Promise.all(slots.map((s) => s.client?.end()));
      await Promise.all([
        pg.stop(),
        app.close(),
        ...slots.flatMap((s) => [s.vercel.close(), s.github.close(), s.hook.close()]),
      ]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function resetDatabase(world: World, slot: Slot): Promise<void> {
  await slot.client?.end();
  slot.client = undefined;
  await world.pg.psql(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${slot.db}' AND pid <> pg_backend_pid()`,
  );
  await world.pg.psql(`DROP DATABASE IF EXISTS ${slot.db}`);
  await world.pg.psql(`CREATE DATABASE ${slot.db} TEMPLATE ${slot.db}_clean`);
}

/** What a case is run with: the baseline's inputs, environment and workspace. */
export interface Setup {
  inputs: Record<string, string>;
  env: Record<string, string>;
  workspace: string;
  stepId: string;
}

function writeWorkspace(dir: string, files: Record<string, unknown>): void {
  for (const [name, content] of Object.entries({ ...WORKSPACE_FIXTURES, ...files })) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

const passingPolicy = {
  id: 'bad-input/baseline',
  title: 'Baseline policy',
  version: '1.0.0',
  rules: [
    {
      id: 'baseline.ok',
      title: 'The baseline facts say ok',
      severity: 'high',
      reference: 'test',
      remediation: 'none',
      schema: { type: 'object', required: ['ok'], properties: { ok: { const: true } } },
    },
  ],
};
const noWaivers = { waivers: [] };
const GITHUB_REPOSITORY = 'neonpro/healthcare-platform';
// The compliance baseline judges a fixed night (clock-override), which fails its critical clock rule
// unless an approver of the approvers file waives it, as the sandbox does.
const clockWaived = {
  waivers: [
    {
      rule: 'compliance.clock-not-overridden',
      reason: 'Bad-input baseline: a fixed night inside the change window',
      approver: 'cto@neonpro.healthcare',
      ticket: 'TEST-1',
      expiresAt: '2026-05-01T00:00:00Z',
    },
  ],
};
const APP_FILES = {
  'index.html': '<h1>release 2</h1><script src="app.js"></script>',
  'app.js': 'console.log("r2")',
};

/** The passing baseline of an action in a slot: a fresh workspace (and Vercel project) per case. */
export async function baseline(world: World, slot: Slot, action: ActionName): Promise<Setup> {
  const n = ++slot.cases;
  const workspace = join(slot.dir, `ws${n}`);
  mkdirSync(workspace, { recursive: true });
  const outputs = (...names: string[]) => Object.fromEntries(names.map((name) => [name, `out/${name}`]));
  // post-validate's checks against the sandbox app, which the watch runs too.
  const probeInputs = () => ({
    'base-url': world.app.url,
    'production-url': world.app.url,
    'api-host-url': world.app.url,
    'protection-bypass': 'bypass-secret-5e7d',
    'bearer-token': TOKEN,
    samples: '1',
    interval: '0s',
    // Latency thresholds are high: a loaded test machine must not fail the baseline.
    'fail-on': 'critical',
    timeout: '2s',
    waivers: 'waivers.json',
    ...outputs('report-file', 'sarif-file', 'junit-file', 'facts-file'),
  });
  const pgEnv = { PG_BIN: slot.pgBin };
  const vercelEnv = { NODE_EXTRA_CA_CERTS: slot.vercel.caFile, GITHUB_API_URL: slot.github.apiUrl };
  const project = `p${slot.index}-${n}`;
  switch (action) {
    case 'policy-gate':
      writeWorkspace(workspace, {
        'policy.json': passingPolicy,
        'facts.json': { ok: true },
        'waivers.json': noWaivers,
      });
      return {
        workspace,
        stepId: 'gate',
        env: {},
        inputs: {
          policies: 'policy.json',
          facts: 'facts.json',
          waivers: 'waivers.json',
          'fail-on': 'high',
          mode: 'enforce',
          ...outputs('sarif-file', 'junit-file', 'report-file'),
        },
      };
    case 'compliance-gate':
      writeWorkspace(workspace, {
        '.github/compliance.json': COMPLIANCE,
        'facts.json': { extra: true },
        'waivers.json': clockWaived,
        'approvers.txt': 'cto@neonpro.healthcare\n',
      });
      return {
        workspace,
        stepId: 'compliance',
        env: {},
        inputs: {
          manifest: '.github/compliance.json',
          'clock-override': INSIDE,
          'waiver-approvers': 'approvers.txt',
          facts: 'facts.json',
          waivers: 'waivers.json',
          ...outputs('report-file', 'sarif-file', 'junit-file', 'evidence-file'),
        },
      };
    case 'approval-check': {
      // The run's approval as GitHub keeps it: reviewed through the pending-deployments endpoint, the
      // approve job ended; the window is around GitHub's clock (the emulator's, the real time).
      writeWorkspace(workspace, {});
      const runId = Number(`${slot.index}${n}`);
      slot.github.waitForApproval(GITHUB_REPOSITORY, {
        runId,
        attempt: 1,
        actor: 'octocat',
        job: 'approve',
        environment: 'production',
      });
      const review = await reviewDeployment({
        apiUrl: slot.github.apiUrl,
        token: slot.github.userToken('cto'),
        repository: GITHUB_REPOSITORY,
        runId: String(runId),
        environment: 'production',
        state: 'approved',
        comment: 'baseline',
      });
      if (!review.ok) throw new Error(`the baseline approval failed: ${review.message}`);
      slot.github.finishJob(GITHUB_REPOSITORY, runId, 'approve', 'success');
      // The job the check runs in: the first change, which opens max-duration.
      slot.github.startJob(GITHUB_REPOSITORY, { runId, attempt: 1, actor: 'octocat', job: 'db' });
      const hh = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(11, 13);
      return {
        workspace,
        stepId: 'approval',
        env: { GITHUB_API_URL: slot.github.apiUrl },
        inputs: {
          'github-token': slot.github.token,
          environment: 'production',
          'approval-job': 'approve',
          'change-window': `${hh(-1)}:00-${hh(2)}:00`,
          timezone: 'UTC',
          'max-approval-age': '1h',
          ...outputs('evidence-file'),
        },
      };
    }
    case 'infra-change':
      // Every slot's tool is `true` (no cluster reached); a valid manifest and kubeconfig are still checked.
      writeWorkspace(workspace, {
        'k8s/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n',
      });
      return {
        workspace,
        stepId: 'infra',
        env: {},
        inputs: {
          mode: 'apply',
          manifests: 'k8s/app.yaml',
          kubeconfig:
            'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:9\nusers:\n- name: u\n  user:\n    token: bad-input-kube-token-5d2a\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n',
          namespace: 'neonpro',
          'rollout-undo': 'deployment/neonpro-web',
          'plan-command': 'true plan',
          'apply-command': 'true apply',
          'undo-command': 'true undo',
          'database-url': world.pg.url(slot.db),
        },
      };
    case 'notify':
      // Every channel listed, each reaching the slot's receiver: a bad case must send nothing.
      writeWorkspace(workspace, {
        'notify.yml': 'channels:\n  slack: {}\n  teams: {}\n  webhook: {}\n  statuspage: {}\n',
      });
      return {
        workspace,
        stepId: 'notify',
        env: {},
        inputs: {
          phase: 'outcome',
          channels: 'notify.yml',
          'slack-webhook': slot.hook.url('/slack'),
          'teams-webhook': slot.hook.url('/teams'),
          'webhook-url': slot.hook.url('/json'),
          'statuspage-api-key': 'bad-input-statuspage-key',
          'statuspage-page-id': 'page1',
          'statuspage-api-url': slot.hook.origin,
          environment: 'production',
          project: 'clinic',
          result: 'success',
          stage: 'validate',
          'stage-results': 'db=success\ndeploy=success',
          'evidence-url': 'https://github.com/neonpro/healthcare-platform/actions/runs/1',
          message: 'All clinics are served by the new release.',
          'scheduled-for': '2026-03-11T05:00:00Z',
          'maintenance-duration': '2h',
          attempts: '2',
        },
      };
    case 'plan': {
      // A caller's checkout and the playbook's inputs (its defaults, a project and a checks file), every
      // secret set but BACKUP_IDENTITY (the backup is encrypted with BACKUP_PASSPHRASE): plan checks them
      // as the later jobs' actions will.
      writeWorkspace(workspace, {
        '.github/compliance.json': COMPLIANCE,
        'db/migrations/20260301000000_audit.sql': '-- migrate:up\nCREATE TABLE audit (id int);\n',
        'checks.json': { checks: [{ name: 'Health', url: '/health' }] },
      });
      const defaults = Object.fromEntries(
        Object.entries(PLAYBOOK_WIRING.inputs).map(([name, spec]) => [
          name,
          spec.type === 'boolean' ? spec.default === 'true' : spec.default,
        ]),
      );
      return {
        workspace,
        stepId: 'plan',
        env: {},
        inputs: {
          'workflow-inputs': JSON.stringify({
            ...defaults,
            'vercel-project': project,
            checks: 'checks.json',
          }),
          'secrets-set': Object.keys(PLAYBOOK_WIRING.secrets)
            .map((name) => `${name}=${name !== 'BACKUP_IDENTITY'}`)
            .join('\n'),
        },
      };
    }
    case 'post-validate':
      writeWorkspace(workspace, { 'waivers.json': noWaivers });
      return {
        workspace,
        stepId: 'validate',
        env: {},
        inputs: probeInputs(),
      };
    case 'watch': {
      // A deployment that went live just now: nothing is due, so the baseline passes without measuring.
      writeWorkspace(workspace, { 'waivers.json': noWaivers });
      const environment = `watch-${project}`;
      const api = `${slot.github.apiUrl}/repos/${GITHUB_REPOSITORY}/deployments`;
      const headers = { authorization: `token ${slot.github.token}`, 'content-type': 'application/json' };
      const created = await fetch(api, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ref: 'abc123', environment, required_contexts: [] }),
      });
      const { id } = (await created.json()) as { id: number };
      await fetch(`${api}/${id}/statuses`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ state: 'success', environment_url: world.app.url }),
      });
      return {
        workspace,
        stepId: 'watch',
        env: { GITHUB_API_URL: slot.github.apiUrl },
        inputs: {
          'github-token': slot.github.token,
          environment,
          issue: '1',
          'rollback-dispatch': 'true',
          ...probeInputs(),
        },
      };
    }
    case 'preflight-check':
      writeWorkspace(workspace, {
        'policy.json': passingPolicy,
        'facts.json': { ok: true },
        'waivers.json': noWaivers,
        'coverage.lcov': LCOV,
        'scan.sarif': sarif('scanner', []),
        'backup.json': standInBackupHistory(),
      });
      return {
        workspace,
        stepId: 'preflight',
        env: { ...pgEnv, GITHUB_API_URL: slot.github.apiUrl },
        inputs: {
          endpoints: `staging=${world.app.url}/health`,
          'monitoring-endpoints': `grafana=${world.app.url}/health`,
          timeout: '2s',
          retries: '0',
          'database-url': world.pg.url(slot.db),
          'coverage-file': 'coverage.lcov',
          'sarif-files': 'scan.sarif',
          'github-token': slot.github.token,
          'vercel-token': slot.vercel.token,
          'vercel-project': 'preflight-app',
          'vercel-team': slot.vercel.teamId,
          'vercel-api-url': slot.vercel.apiUrl,
          'required-env': 'DATABASE_URL',
          'backup-manifest': 'backup.json',
          'extra-facts': 'facts.json',
          policies: 'policy.json',
          waivers: 'waivers.json',
          ...outputs('facts-file', 'report-file', 'sarif-file', 'junit-file'),
        },
      };
    case 'db-migrate-backup':
      writeWorkspace(workspace, {
        'db/migrations/20260301000000_audit.sql':
          '-- migrate:up\nCREATE TABLE audit (id int);\n-- migrate:down\nDROP TABLE audit;\n',
        'waivers.json': noWaivers,
      });
      return {
        workspace,
        stepId: 'db',
        env: pgEnv,
        inputs: {
          'database-url': `${world.pg.url(slot.db)}?sslmode=disable`,
          migrate: 'dbmate',
          jobs: '1',
          compression: '1',
          'encryption-key': KEY,
          'backup-storage': 'path',
          'backup-path': join(slot.dir, 'backups'),
          waivers: 'waivers.json',
          ...outputs('report-file', 'sarif-file', 'junit-file'),
        },
      };
    case 'rollback': {
      const files = { health: '{"status":"ok"}' };
      const v1 = await slot.vercel.seedDeployment({ project, target: 'production', files });
      const v2 = await slot.vercel.seedDeployment({ project, target: 'production', files });
      writeWorkspace(workspace, {});
      return {
        workspace,
        stepId: 'rollback',
        env: { ...pgEnv, ...vercelEnv },
        inputs: {
          'vercel-token': slot.vercel.token,
          'vercel-project': project,
          'vercel-team': slot.vercel.teamId,
          'api-url': slot.vercel.apiUrl,
          'previous-deployment-id': v1.id,
          'failed-deployment-id': v2.id,
          'database-url': world.pg.url(slot.db),
          'backup-id': slot.backup.id,
          'backup-location': slot.backup.location,
          'encryption-key': KEY,
          'migrations-applied': '["20260301000000"]',
          'github-token': slot.github.token,
          'notify-webhook': slot.hook.url('/slack'),
          'verify-url': slot.vercel.productionUrl(project),
          reason: 'validate failed',
        },
      };
    }
    case 'vercel-deploy':
      await slot.vercel.createProject({ name: project });
      await slot.vercel.seedDeployment({
        project,
        target: 'production',
        files: { 'index.html': 'release 1' },
      });
      writeWorkspace(workspace, APP_FILES);
      return {
        workspace,
        stepId: 'deploy',
        env: vercelEnv,
        inputs: {
          'vercel-token': slot.vercel.token,
          'vercel-project': project,
          'vercel-team': slot.vercel.teamId,
          'api-url': slot.vercel.apiUrl,
          timeout: '30s',
          'github-token': slot.github.token,
          'github-environment': 'production',
          'sri-manifest': 'out/sri.json',
          'sri-globs': '*.js',
        },
      };
  }
}

/** Every file under the watched folder with its size, mode and mtime. */
function snapshotFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    try {
      const s = statSync(path);
      files.set(path, `${s.isDirectory() ? 'd' : 'f'}:${s.size}:${s.mode}:${s.mtimeMs}`);
    } catch {
      // Removed while listed.
    }
  }
  return files;
}

export interface Observation {
  files: Map<string, string>;
  db: string;
  vercelWrites: number;
  githubWrites: number;
  hooks: number;
}

export async function observe(world: World, slot: Slot): Promise<Observation> {
  if (!slot.client) {
    slot.client = new pg.Client({ connectionString: world.pg.url(slot.db) });
    await slot.client.connect();
  }
  const { rows } = await slot.client.query<{ fingerprint: string }>(
    `SELECT (SELECT string_agg(n.nspname||'.'||c.relname, ',' ORDER BY n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog','information_schema','pg_toast')) || ' ' || (SELECT md5(string_agg(p::text, ',' ORDER BY id)) FROM patients p) AS fingerprint`,
  );
  const db = rows[0]?.fingerprint ?? '';
  return {
    files: snapshotFiles(slot.dir),
    db,
    vercelWrites: slot.vercel.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length,
    githubWrites: slot.github.requests.filter((r) => r.method !== 'GET').length,
    hooks: slot.hook.requests.length,
  };
}

/** What changed between two observations, in words; empty when nothing did. */
export function changes(before: Observation, after: Observation): string[] {
  const found: string[] = [];
  for (const [path, sig] of after.files)
    if (before.files.get(path) !== sig)
      found.push(`${before.files.has(path) ? 'changed' : 'created'} ${path}`);
  for (const path of before.files.keys()) if (!after.files.has(path)) found.push(`removed ${path}`);
  if (before.db !== after.db) found.push('database changed');
  if (after.vercelWrites > before.vercelWrites)
    found.push(`${after.vercelWrites - before.vercelWrites} Vercel API writes`);
  if (after.githubWrites > before.githubWrites)
    found.push(`${after.githubWrites - before.githubWrites} GitHub API writes`);
  if (after.hooks > before.hooks) found.push(`${after.hooks - before.hooks} webhook requests`);
  return found;
}
