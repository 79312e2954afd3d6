// Issue 20 (cold start): every action's committed bundle (runs.main of its action.yml), started as the
// runner starts it (Node 24, the runner's variables and file-command files, the inputs given plus
// action.yml's defaults; bench/support/action-env.ts), with real inputs for a small real job that
// succeeds: each run must exit 0, or the row is an error. Against a bare `node -e 0` of the same Node in
// the same round; the figure is the paired ratio per round (action / node -e 0), min/median/max, over
// interleaved rounds (the order reversed every other round). Goal ≤ 1.5× for every action.
// The services an action talks to (Vercel, GitHub, webhooks, HTTP checks, PostgreSQL) are the sandbox's
// emulators and a throwaway cluster on this machine, so a run is the action's start plus its few requests.
// BENCH_ROUNDS (default 10, quick 2); BENCH_ACTIONS=<regex> measures only the matching actions;
// BENCH_CPU_PROF=<folder> profiles each action's first run (summarise with bench/support/profile-summary.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startGitHubEmulator } from '../sandbox/github/emulator.js';
import { reviewDeployment } from '../sandbox/github/review.js';
import { resolveNode24 } from '../sandbox/runner/node24.js';
import { startVercelEmulator } from '../sandbox/vercel/emulator.js';
import { startWebhookReceiver } from '../sandbox/webhook/receiver.js';
import { PLAYBOOK_WIRING } from '../src/plan/generated/playbook-wiring.js';
import { actionEnv, bundleOf, ROOT } from './support/action-env.js';
import { envNumber, formatSpread, pairedRatios, pairedRounds, spread, timeChild } from './support/measure.js';
import { benchPostgres } from './support/postgres.js';
import { reportError, reportRow } from './support/report.js';

const rounds = envNumber('BENCH_ROUNDS', 10, 2);
const only = process.env.BENCH_ACTIONS ? new RegExp(process.env.BENCH_ACTIONS) : undefined;
const node = await resolveNode24(ROOT);
const GOAL = 1.5;
const scratch = mkdtempSync(join(tmpdir(), 'dg-bench-cold-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [
  () => rmSync(scratch, { recursive: true, force: true }),
];

function folder(name: string, files: Record<string, string> = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

interface Case {
  /** Action folder ('.' for the root action). */
  dir: string;
  label: string;
  workspace: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Untimed, before each run (e.g. put production back so that a rollback has something to do). */
  prepare?: () => Promise<void>;
  note: string;
}
const cases: Case[] = [];

// Root policy gate: the example policy (compiled at run time) over facts that pass.
{
  const ws = folder('policy-gate');
  cpSync(join(ROOT, 'examples/policy-gate'), ws, { recursive: true });
  cases.push({
    dir: '.',
    label: 'policy-gate (root)',
    workspace: ws,
    inputs: { policies: 'release-readiness.json', facts: 'facts-ready.json' },
    note: 'example policy, facts that pass',
  });
}
// compliance-gate: the example manifest, audit mode.
{
  const ws = folder('compliance', {
    'compliance.json': readFileSync(join(ROOT, 'examples/compliance/compliance.json'), 'utf8'),
  });
  cases.push({
    dir: 'actions/compliance-gate',
    label: 'compliance-gate',
    workspace: ws,
    inputs: { manifest: 'compliance.json', mode: 'audit' },
    note: 'example manifest, audit',
  });
}

// post-validate: one check, one sample, against a local endpoint.
const http = createServer((req, res) =>
  res.end(req.url?.includes('incidents') ? '{"incidents":[]}' : '{"status":"ok"}'),
);
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
cleanups.push(() => http.close());
const httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
cases.push({
  dir: 'actions/post-validate',
  label: 'post-validate',
  workspace: folder('post-validate', {
    'checks.json': JSON.stringify({ checks: [{ name: 'health', url: '/health' }] }),
  }),
  inputs: { 'base-url': httpBase, checks: 'checks.json', samples: '1' },
  note: '1 check × 1 sample',
});

// A throwaway PostgreSQL cluster for preflight-check and db-migrate-backup.
const pg =
  !only || only.test('db-migrate-backup') || only.test('preflight-check')
    ? await benchPostgres('dg-bench-cold-pg-')
    : undefined;
cleanups.push(async () => pg?.close());

// preflight-check: every required fact collected (staging and monitoring endpoints, the database, coverage,
// SARIF, a fresh backup manifest, no open security incident); the facts only GitHub or the internet can give
// (TLS of public hosts, review, environment protection) waived by an approver listed in the repository.
if (pg) {
  await pg.cluster.createDatabase('app');
  const day = 86_400_000;
  cases.push({
    dir: 'actions/preflight-check',
    label: 'preflight-check',
    workspace: folder('preflight-check', {
      'coverage/coverage-summary.json': JSON.stringify({
        total: {
          lines: { total: 200, covered: 192, pct: 96 },
          statements: { total: 210, covered: 200, pct: 95.24 },
          functions: { total: 40, covered: 38, pct: 95 },
          branches: { total: 80, covered: 72, pct: 90 },
        },
      }),
      'scans/codeql.sarif': JSON.stringify({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'CodeQL', rules: [] } }, results: [] }],
      }),
      'backups/manifest.json': JSON.stringify({
        id: 'nightly',
        verified: true,
        // Restored into a scratch database too: the restore test preflight.restore-tested wants.
        verification: { ok: true, restore: 'matched' },
        finishedAt: new Date(Date.now() - 3_600_000).toISOString(),
      }),
      'waivers.json': JSON.stringify({
        waivers: [
          ['preflight.tls-valid', '/tls'],
          ['preflight.code-review', '/review'],
          ['preflight.required-checks', '/review'],
          ['preflight.environment-protected', '/environment'],
        ].map(([rule, scope]) => ({
          rule,
          scope,
          reason: 'not reachable from the bench machine',
          approver: 'cto@neonpro.healthcare',
          ticket: 'BENCH-1',
          expiresAt: new Date(Date.now() + 30 * day).toISOString(),
        })),
      }),
      '.github/deploy-gates/approvers': 'cto@neonpro.healthcare\n',
    }),
    inputs: {
      endpoints: `web=${httpBase}/health`,
      'monitoring-endpoints': `grafana=${httpBase}/health`,
      'database-url': `${pg.cluster.url('app')}?sslmode=disable`,
      'coverage-file': 'coverage/coverage-summary.json',
      'sarif-files': 'scans/*.sarif',
      'backup-manifest': 'backups/manifest.json',
      'security-incidents-url': `${httpBase}/api/security/incidents/recent`,
      waivers: 'waivers.json',
    },
    env: { GITHUB_ACTION: 'preflight' },
    note: 'local facts, 4 rules waived',
  });
}

// notify: a generic webhook channel.
const hook = await startWebhookReceiver();
cleanups.push(() => hook.close());
cases.push({
  dir: 'actions/notify',
  label: 'notify',
  workspace: folder('notify', { 'notify.yml': 'channels:\n  webhook: {}\n' }),
  inputs: {
    channels: 'notify.yml',
    project: 'neonpro-web',
    phase: 'started',
    'webhook-url': hook.url('/gateway/bench'),
  },
  note: 'one webhook channel',
});

// plan: the playbook's wiring with its defaults, on a checkout with migrations, manifest and checks.
{
  const ws = folder('plan', {
    'db/migrations/20260301000000_consents.sql': '-- migrate:up\nCREATE TABLE consents (id int);\n',
    'checks.yml': readFileSync(join(ROOT, 'examples/post-validate/checks.yml'), 'utf8'),
    '.github/compliance.json': readFileSync(join(ROOT, 'examples/compliance/compliance.json'), 'utf8'),
  });
  const defaults = Object.fromEntries(
    Object.entries(PLAYBOOK_WIRING.inputs).map(([name, spec]) => [
      name,
      spec.type === 'boolean' ? spec.default === 'true' : spec.default,
    ]),
  );
  const set = new Set(['VERCEL_TOKEN', 'PRODUCTION_DATABASE_URL', 'BACKUP_PASSPHRASE']);
  cases.push({
    dir: 'actions/plan',
    label: 'plan',
    workspace: ws,
    inputs: {
      'workflow-inputs': JSON.stringify({
        ...defaults,
        'vercel-project': 'neonpro-web',
        checks: 'checks.yml',
      }),
      'secrets-set': Object.keys(PLAYBOOK_WIRING.secrets)
        .map((name) => `${name}=${set.has(name)}`)
        .join('\n'),
    },
    env: { GITHUB_ACTION: 'plan' },
    note: "the playbook's defaults",
  });
}

// approval-check: a run whose production approval GitHub (the emulator) recorded.
const github = await startGitHubEmulator();
cleanups.push(() => github.close());
{
  const REPO = 'neonpro/healthcare-platform';
  github.setEnvironment(REPO, 'production', {
    reviewers: [
      { type: 'User', name: 'medical-director' },
      { type: 'User', name: 'octocat' },
    ],
  });
  const runId = 5151;
  github.setClock('2026-03-10T05:00:00Z');
  github.waitForApproval(REPO, {
    runId,
    attempt: 1,
    actor: 'octocat',
    job: 'deploy / approve',
    environment: 'production',
  });
  github.setClock('2026-03-10T05:20:00Z');
  const review = await reviewDeployment({
    apiUrl: github.apiUrl,
    token: github.userToken('medical-director'),
    repository: REPO,
    runId: String(runId),
    environment: 'production',
    state: 'approved',
    comment: 'bench',
  });
  if (!review.ok) throw new Error('setup: the approval was not recorded');
  github.finishJob(REPO, runId, 'deploy / approve', 'success');
  github.setClock('2026-03-10T05:30:00Z');
  github.startJob(REPO, { runId, attempt: 1, actor: 'octocat', job: 'deploy / db' });
  cases.push({
    dir: 'actions/approval-check',
    label: 'approval-check',
    workspace: folder('approval-check'),
    inputs: { 'github-token': github.token },
    env: { GITHUB_API_URL: github.apiUrl, GITHUB_RUN_ID: String(runId), GITHUB_ACTION: 'approval' },
    note: 'one recorded approval',
  });
}

// vercel-deploy and rollback: the Vercel emulator; a one-file build.
const vercel = await startVercelEmulator({
  queuedMs: 0,
  buildMs: 0,
  rateLimit: { limit: 1e9, windowMs: 60_000 },
});
cleanups.push(() => vercel.close());
const vercelInputs = {
  'vercel-token': vercel.token,
  'vercel-team': vercel.teamId,
  'api-url': vercel.apiUrl,
};
await vercel.createProject({ name: 'bench-deploy' });
cases.push({
  dir: 'actions/vercel-deploy',
  label: 'vercel-deploy',
  workspace: folder('vercel-deploy', { 'index.html': '<h1>bench</h1>' }),
  inputs: { ...vercelInputs, 'vercel-project': 'bench-deploy' },
  env: { NODE_EXTRA_CA_CERTS: vercel.caFile },
  note: 'one-file build, emulator',
});
{
  const previous = await vercel.seedDeployment({
    project: 'bench-app',
    target: 'production',
    files: { 'index.html': 'one' },
  });
  const current = await vercel.seedDeployment({
    project: 'bench-app',
    target: 'production',
    files: { 'index.html': 'two' },
  });
  const project = vercel.project('bench-app');
  cases.push({
    dir: 'actions/rollback',
    label: 'rollback',
    workspace: folder('rollback'),
    inputs: {
      ...vercelInputs,
      'vercel-project': 'bench-app',
      'previous-deployment-id': previous.id,
      'failed-deployment-id': current.id,
      'github-token': github.token,
      reason: 'bench',
    },
    env: { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl, GITHUB_ACTION: 'rollback' },
    // Production back on the current deployment, so that every run rolls it back (untimed).
    prepare: async () => {
      const res = await fetch(
        `${vercel.apiUrl}/v10/projects/${project?.id}/promote/${current.id}?teamId=${vercel.teamId}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${vercel.token}` },
        },
      );
      if (!res.ok) throw new Error(`promote: ${res.status}`);
      for (let i = 0; vercel.project('bench-app')?.productionDeploymentId !== current.id; i++) {
        if (i > 1000) throw new Error('promote did not land');
        await new Promise((r) => setImmediate(r));
      }
    },
    note: 'app only, emulator',
  });
}

// db-migrate-backup: a throwaway cluster, one migration, a small database, a path store.
if (pg) {
  const store = join(pg.work, 'store');
  mkdirSync(store);
  cases.push({
    dir: 'actions/db-migrate-backup',
    label: 'db-migrate-backup',
    workspace: folder('db-migrate-backup', {
      'db/migrations/20260301000000_consents.sql':
        '-- migrate:up\nCREATE TABLE consents (id int);\n-- migrate:down\nDROP TABLE consents;\n',
    }),
    inputs: {
      'database-url': `${pg.cluster.url('cold')}?sslmode=disable`,
      'backup-storage': 'path',
      'backup-path': store,
      'encryption-key': 'bench passphrase: correct horse battery staple',
    },
    // A fresh small database (one table of 1,000 rows) each run, so that every run backs up and applies the migration (untimed).
    prepare: async () => {
      await pg.cluster.psql('DROP DATABASE IF EXISTS cold WITH (FORCE)');
      await pg.cluster.createDatabase('cold');
      await pg.cluster.psql(
        'CREATE TABLE patients AS SELECT g AS id, md5(g::text) AS name FROM generate_series(1, 1000) g',
        'cold',
      );
    },
    env: { GITHUB_RUN_ID: '', PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
    note: '1,000-row table, one migration',
  });
}

const selected = cases.filter((c) => !only || only.test(c.label));
let runNo = 0;
/** BENCH_CPU_PROF=<folder>: the checked first run of each action writes a V8 CPU profile there (node --cpu-prof). */
const cpuProf = process.env.BENCH_CPU_PROF;
/**
 * Unless BENCH_BEFORE=0, the committed bundles of BENCH_BEFORE_REF (default: where this branch left main,
 * `git merge-base HEAD main`), unpacked by `git archive`, run in the same rounds: the change as a figure
 * of this run.
 */
const beforeRoot = (() => {
  if (process.env.BENCH_BEFORE === '0') return undefined;
  const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const ref = process.env.BENCH_BEFORE_REF ?? git(['merge-base', 'HEAD', 'main']);
    if (git(['rev-parse', ref]) === git(['rev-parse', 'HEAD']) && !process.env.BENCH_BEFORE_REF)
      return undefined;
    const dir = join(scratch, 'before');
    mkdirSync(dir);
    execFileSync(
      'sh',
      ['-c', 'git archive "$1" dist actions policies package.json | tar -x -C "$2"', 'sh', ref, dir],
      {
        cwd: ROOT,
      },
    );
    console.log(`before: the committed bundles of ${git(['rev-parse', '--short', ref])}`);
    return dir;
  } catch (err) {
    console.log(`(no before figure: ${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
})();

async function runCase(c: Case, profile = false, root = ROOT): Promise<number> {
  await c.prepare?.();
  const env = actionEnv(c.dir, c.workspace, c.inputs, {
    ...c.env,
    GITHUB_RUN_ID: c.env?.GITHUB_RUN_ID || String(700000 + ++runNo),
  });
  try {
    const prof = profile && cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProf, c.label)}`] : [];
    const bundle = join(root, relative(ROOT, bundleOf(c.dir).bundle));
    return await timeChild(node, [...prof, bundle], { env, cwd: c.workspace });
  } finally {
    rmSync(env.RUNNER_TEMP ?? '', { recursive: true, force: true });
  }
}

// One checked run each first: an action that cannot succeed is an error row, not a timing.
const working: Case[] = [];
for (const c of selected) {
  try {
    await runCase(c, true);
    working.push(c);
  } catch (err) {
    reportError(`cold-start:${c.label}`, `cold start ${c.label} vs node -e 0`, `≤ ${GOAL}×`, err);
  }
}
try {
  if (rounds < 1) throw new Error('BENCH_ROUNDS must be at least 1');
  const samples = await pairedRounds(
    {
      'node -e 0': () => timeChild(node, ['-e', '0']),
      ...Object.fromEntries(working.map((c) => [c.label, () => runCase(c)])),
      ...(beforeRoot
        ? Object.fromEntries(working.map((c) => [`${c.label} (before)`, () => runCase(c, false, beforeRoot)]))
        : {}),
    },
    rounds,
    1,
  );
  const base = samples['node -e 0'] ?? [];
  console.log(`cold start, ${rounds} interleaved rounds (${node}, Node ${process.versions.node ?? ''}):`);
  console.log(`  node -e 0: ${formatSpread(spread(base), ' ms', 1)}`);
  for (const c of working) {
    const ms = samples[c.label] ?? [];
    console.log(`  ${c.label}: ${formatSpread(spread(ms), ' ms', 1)}`);
    const before = samples[`${c.label} (before)`];
    if (before)
      console.log(
        `  ${c.label} before: ${formatSpread(spread(before), ' ms', 1)}; before / node -e 0 ${formatSpread(spread(pairedRatios(before, base)))}`,
      );
    reportRow({
      key: `cold-start:${c.label}`,
      figure: `cold start ${c.label} vs node -e 0`,
      goal: { op: '<=', value: GOAL },
      ratios: pairedRatios(ms, base),
      note: c.note,
    });
  }
} finally {
  for (const f of cleanups.reverse()) await f();
}
if (working.length < selected.length) process.exit(1);
