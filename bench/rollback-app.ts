// Issue 8: the rollback's app step against the Vercel emulator holding two READY production deployments,
// the previous and the current one. Timed: from calling appStep(...).run() over vercelProductionControl
// (what actions/rollback runs for the app, with the inputs the playbook passes: previous- and
// failed-deployment-id) to the production URL serving the previous deployment's content, checked by
// fetching it. Baseline in the same run: the raw API alone, one rollback request by fetch, then polling
// the production alias until it names the previous deployment, then the same content check. Production is
// flipped back to the current deployment (promote) between measurements. Median of BENCH_ROUNDS (default
// 5) rounds after one warm-up round; goal ≤ 5 s. BENCH_ALIAS_MS sets how long the emulator keeps an alias
// move in progress (default 0: it moves when asked). The bench exits 1 if production does not serve the
// expected content. Also timed, as the issue words it: from starting the committed bundle of
// actions/rollback (as the runner starts it; app only: no database, hooks or verify) until it exits, which
// is after production serves the previous deployment and the incident is recorded: an upper bound.

import { startGitHubEmulator } from '../sandbox/github/emulator.js';
import { runBundle } from '../sandbox/runner/run-bundle.js';
import { startVercelEmulator } from '../sandbox/vercel/emulator.js';
import { appStep } from '../src/rollback/app-step.js';
import { StepLog } from '../src/rollback/steps.js';
import { vercelProductionControl } from '../src/rollback/vercel-app.js';
import type { VercelTarget } from '../src/vercel/api.js';
import { median, ratio } from './support/measure.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const aliasMs = Number(process.env.BENCH_ALIAS_MS ?? 0);
const GOAL_MS = 5000;
const PROJECT = 'bench-app';

// The baseline polls without pause, so the request budget must not run out with a slow alias move.
const vercel = await startVercelEmulator({
  queuedMs: 0,
  buildMs: 0,
  aliasMs,
  rateLimit: { limit: 1e9, windowMs: 60_000 },
});
const previous = await vercel.seedDeployment({
  project: PROJECT,
  target: 'production',
  files: { 'index.html': '<h1>release 1 (previous)</h1>' },
});
const current = await vercel.seedDeployment({
  project: PROJECT,
  target: 'production',
  files: { 'index.html': '<h1>release 2 (current)</h1>' },
});
const github = await startGitHubEmulator();
const project = vercel.project(PROJECT);
if (!project || project.productionDeploymentId !== current.id)
  throw new Error('setup: current is not production');
const content = { [previous.id]: 'release 1 (previous)', [current.id]: 'release 2 (current)' };
const productionUrl = vercel.productionUrl(PROJECT);
const target: VercelTarget = {
  token: vercel.token,
  project: PROJECT,
  teamId: vercel.teamId,
  apiUrl: vercel.apiUrl,
};
let failures = 0;

/** Fetches the production URL and checks it serves `deploymentId`'s page. */
async function servesContentOf(deploymentId: string): Promise<boolean> {
  const site = await vercel.fetchSite(productionUrl);
  const ok =
    site.status === 200 &&
    site.body.includes(content[deploymentId] ?? '?') &&
    site.headers['x-deployment-id'] === deploymentId;
  if (!ok) {
    console.error(
      `  FAIL ${productionUrl} answered ${site.status} from ${site.headers['x-deployment-id']} (${site.body.slice(0, 60)}), expected ${deploymentId}`,
    );
    failures++;
  }
  return ok;
}

async function api(method: string, path: string): Promise<Response> {
  const res = await fetch(`${vercel.apiUrl}${path}?teamId=${vercel.teamId}`, {
    method,
    headers: { authorization: `Bearer ${vercel.token}` },
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** Polls the production alias (GET /v4/aliases/{domain}) until it names `deploymentId`; no other signal exists. */
async function aliasServes(deploymentId: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const alias = (await (await api('GET', `/v4/aliases/${project?.productionDomain}`)).json()) as {
      deploymentId?: string;
    };
    if (alias.deploymentId === deploymentId) return polls;
    if (performance.now() > deadline) throw new Error(`the alias still serves ${alias.deploymentId}`);
  }
}

/** Ours: the app step as actions/rollback builds it. */
async function ours(): Promise<number> {
  const start = performance.now();
  const outcome = await appStep({
    control: vercelProductionControl(target, 60_000),
    previousDeploymentId: previous.id,
    failedDeploymentId: current.id,
    log: { info: () => {}, warning: (m) => console.error(`  warning: ${m}`) },
  }).run(new StepLog());
  await servesContentOf(previous.id);
  const ms = performance.now() - start;
  if (outcome.status !== 'done') {
    console.error(`  FAIL the app step answered ${outcome.status}: ${outcome.detail}`);
    failures++;
  }
  return ms;
}

/** Baseline: one rollback request, then the alias polled, then the same content check. */
async function raw(): Promise<number> {
  const start = performance.now();
  await api('POST', `/v9/projects/${project?.id}/rollback/${previous.id}`);
  await aliasServes(previous.id);
  await servesContentOf(previous.id);
  return performance.now() - start;
}

/** The whole action from its committed bundle, started as the runner starts it. */
let runNo = 0;
async function wholeAction(): Promise<number> {
  const start = performance.now();
  const run = await runBundle({
    action: 'actions/rollback/dist/index.js',
    inputs: {
      'vercel-token': vercel.token,
      'vercel-project': PROJECT,
      'vercel-team': vercel.teamId,
      'api-url': vercel.apiUrl,
      'previous-deployment-id': previous.id,
      'failed-deployment-id': current.id,
      'github-token': github.token,
      reason: 'bench',
    },
    env: { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl },
    runId: String(424200 + ++runNo),
    stepId: 'rollback',
  });
  const ms = performance.now() - start;
  await run.cleanup();
  if (run.exitCode !== 0 || !(await servesContentOf(previous.id))) {
    console.error(`  FAIL the rollback action exited ${run.exitCode}: ${run.stdout.slice(-400)}`);
    failures++;
  }
  return ms;
}

/** Untimed: production back on the current deployment (a promote also ends the rollback's pause). */
async function flipBack(): Promise<void> {
  await api('POST', `/v10/projects/${project?.id}/promote/${current.id}`);
  await aliasServes(current.id);
  await servesContentOf(current.id);
}

const samples = { ours: [] as number[], raw: [] as number[], whole: [] as number[] };
for (let round = 0; round < rounds + 1; round++) {
  const a = await ours();
  await flipBack();
  const b = await raw();
  await flipBack();
  const c = await wholeAction();
  await flipBack();
  if (round === 0) continue;
  samples.ours.push(a);
  samples.raw.push(b);
  samples.whole.push(c);
}
const wholeMs = median(samples.whole);
const oursMs = median(samples.ours);
const rawMs = median(samples.raw);
const list = (v: number[]) => v.map((x) => x.toFixed(0)).join(', ');
console.log(
  `rollback of the app to the previous READY production deployment, emulator alias move ${aliasMs} ms, medians of ${rounds} rounds (Node ${process.version}):`,
);
console.log(
  `  raw API: rollback request + alias poll (baseline)   ${rawMs.toFixed(0).padStart(6)} ms  [${list(samples.raw)}]`,
);
console.log(
  `  ours: app step (actions/rollback's app path)        ${oursMs.toFixed(0).padStart(6)} ms  [${list(samples.ours)}]  ${ratio(oursMs, rawMs)} of raw; goal ≤ ${GOAL_MS / 1000} s: ${oursMs <= GOAL_MS ? 'met' : 'NOT met'}`,
);
console.log(
  `  whole action, bundle start to exit (app only)     ${wholeMs.toFixed(0).padStart(6)} ms  [${list(samples.whole)}]  ${ratio(wholeMs, rawMs)} of raw; goal ≤ ${GOAL_MS / 1000} s: ${wholeMs <= GOAL_MS ? 'met' : 'NOT met'}`,
);
console.log(
  `  production serves the previous deployment's content after every rollback: ${failures ? 'NO' : 'yes'}`,
);
await Promise.all([vercel.close(), github.close()]);
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
