// Issue 9: the playbook's happy path on the sandbox (no approval wait: the approval is granted at once),
// measured in this run in BENCH_ROUNDS (default 3) interleaved rounds, each on fresh sandbox releases:
//   1. Critical path: the wall time of the whole workflow run (`release.run()`, every action from its
//      committed bundle) against the sum of its jobs' own durations as if run one after another (the
//      WorkflowRun's per-job timings), and the ratio of the two. The job-start/job-end events tell whether
//      any two jobs overlapped; the `needs` graph gives the longest chain of job durations.
//   2. Suite overhead over the raw tools: for a second, identical release of the same round, what the
//      suite wraps done by hand: `pg_dump -Fc` of its database (the sandbox cluster's URL, pg_dump from the
//      cluster's /usr/lib/postgresql/<major>/bin), the upload and deploy of the same app folder with
//      @vercel/client's createDeployment straight against the emulator, and plain fetch() of the URLs the
//      validate job checks (the checks file's paths on the new deployment's URL, as many requests as
//      post-validate sends, back to back). The playbook's wall time minus their sum is the overhead.
// The playbook goes first in odd rounds and the raw tools in even ones, so neither always runs on a
// warmer machine. The sandbox (emulators, PostgreSQL) is closed at the end, on an error and on Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { createDeployment } from '@vercel/client';
import { parse } from 'yaml';
import { type PlaybookSandbox, type SandboxRelease, startPlaybookSandbox } from '../sandbox/playbook.js';
import type { WorkflowEvent, WorkflowRun } from '../sandbox/workflow/run-workflow.js';
import { loadWorkflow } from '../sandbox/workflow/workflow-file.js';
import { median, ratio } from './support/measure.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_ROUNDS must be a positive integer');
const root = resolve(import.meta.dirname, '..');
const workflow = await loadWorkflow(join(root, '.github/workflows/playbook.yml'));
const EXPECTED: Record<string, string> = {
  preflight: 'success',
  compliance: 'success',
  approve: 'success',
  db: 'success',
  deploy: 'success',
  validate: 'success',
  rollback: 'skipped',
};

// How many requests the validate job sends per check, and how long it pauses between two of them: the
// workflow's `with:` for post-validate if it sets them, else the action's defaults.
const validateStep = workflow.jobs
  .find((j) => j.id === 'validate')
  ?.steps.find((s) => s.uses?.includes('/actions/post-validate@'));
const postValidate = parse(readFileSync(join(root, 'actions/post-validate/action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};
const setting = (name: string) => {
  const given = validateStep?.with[name];
  return typeof given === 'string' || typeof given === 'number'
    ? String(given)
    : postValidate.inputs[name]?.default;
};
const SAMPLES = Number(setting('samples') ?? 1);
const INTERVAL_MS = durationMs(setting('interval') ?? '0s');
const INITIAL_DELAY_MS = durationMs(setting('initial-delay') ?? '0s');

function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read the duration ${text}`);
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : m[2] === 'ms' ? 1 : 1_000);
}

const now = () => performance.now();
const fmt = (ms: number) => `${(ms / 1000).toFixed(2).padStart(7)} s`;
const fmtSigned = (ms: number) => `${ms < 0 ? '-' : '+'}${(Math.abs(ms) / 1000).toFixed(2).padStart(6)} s`;
/** Milliseconds, for what is too small to show in hundredths of a second. */
const fmtMs = (ms: number) => `${ms < 0 ? '-' : '+'}${Math.abs(ms).toFixed(1)} ms`;
const med = (values: number[]) => median(values);

// Everything the sandbox and the runner write to the temp folder (release workspaces, backup stores,
// artifacts, job temp folders, the raw dumps) goes into one folder of this run, removed at the end.
// Readable by all: the PostgreSQL sandbox falls back to the temp folder when /dev/shm will not do, and its
// server runs as another user when this runs as root.
const work = mkdtempSync(join(tmpdir(), 'dg-bench-playbook-'));
chmodSync(work, 0o755);
process.env.TMPDIR = work;

let sandbox: PlaybookSandbox | undefined;
let closing: Promise<void> | undefined;
async function cleanup(): Promise<void> {
  closing ??= (async () => {
    try {
      await sandbox?.close();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  })();
  return closing;
}
/**
 * On Ctrl-C, the action or tool this process started and is waiting for: the runner harness starts each
 * action in a process group of its own, which a terminal's Ctrl-C does not reach.
 */
function stopChildren(): void {
  let pids: number[] = [];
  try {
    pids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0);
  } catch {
    return;
  }
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGTERM');
        break;
      } catch {
        // Not a process group leader, or already gone.
      }
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanup()
      .finally(stopChildren)
      .finally(() => process.exit(130));
  });
}

interface PlaybookSample {
  wallMs: number;
  runMs: number;
  jobs: Record<string, number>;
  /** Per job: its duration minus its steps' durations (the runner's own work inside the job). */
  jobOwnMs: Record<string, number>;
  steps: Record<string, number>;
  overlapped: string[];
  /** Job start minus the previous job's end, summed: the runner between jobs. */
  gapsMs: number;
}

interface RawSample {
  pgDumpMs: number;
  deployMs: number;
  httpMs: number;
  requests: number;
  url: string;
}

/** The playbook on a fresh release, approval granted at once; fails unless the happy path went through. */
async function playbook(release: SandboxRelease): Promise<PlaybookSample> {
  const starts: Record<string, number> = {};
  const ends: Record<string, number> = {};
  const onEvent = (e: WorkflowEvent) => {
    if (e.type === 'job-start') starts[e.job] = now();
    if (e.type === 'job-end') ends[e.job.id] = now();
  };
  const start = now();
  const run: WorkflowRun = await release.run({ approve: async () => true, onEvent });
  const wallMs = now() - start;
  const results = Object.fromEntries(Object.values(run.jobs).map((j) => [j.id, j.result]));
  if (JSON.stringify(results) !== JSON.stringify(EXPECTED)) {
    const why = Object.values(run.jobs).map((j) => [j.id, j.result, j.steps.flatMap((s) => s.errors)]);
    throw new Error(`the happy path did not go through: ${JSON.stringify(why)}`);
  }
  const jobs = Object.fromEntries(Object.values(run.jobs).map((j) => [j.id, j.durationMs]));
  const jobOwnMs = Object.fromEntries(
    Object.values(run.jobs).map((j) => [j.id, j.durationMs - j.steps.reduce((a, s) => a + s.durationMs, 0)]),
  );
  const steps = Object.fromEntries(
    Object.values(run.jobs).flatMap((j) =>
      j.steps
        .filter((s) => s.outcome !== 'skipped')
        .map((s) => [
          `${j.id}: ${s.name.replace(/^neonpro\/deploy-gates\//, '').replace(/@\S+$/, '')}`,
          s.durationMs,
        ]),
    ),
  );
  // Two jobs overlapped if one started before the other ended (events in this process's clock).
  const spans = Object.keys(starts)
    .map((id) => ({ id, start: starts[id] ?? 0, end: ends[id] ?? starts[id] ?? 0 }))
    .sort((a, b) => a.start - b.start);
  const overlapped: string[] = [];
  let gapsMs = 0;
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1];
    const b = spans[i];
    if (!a || !b) continue;
    if (b.start < a.end) overlapped.push(`${a.id}/${b.id}`);
    else gapsMs += b.start - a.end;
  }
  return { wallMs, runMs: run.durationMs, jobs, jobOwnMs, steps, overlapped, gapsMs };
}

/** Wall time of a process that must exit 0; its stderr is kept for the error. */
function timeProcess(command: string, args: string[]): Promise<number> {
  const start = now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(now() - start);
      else reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** The same work by hand, on another release of the same kind. */
async function rawTools(box: PlaybookSandbox, release: SandboxRelease): Promise<RawSample> {
  // 1. pg_dump -Fc of the release's database, as the playbook's db job connects to it.
  const pgDumpMs = await timeProcess(join(box.pg.binDir, 'pg_dump'), [
    '-Fc',
    '--no-password',
    `--file=${join(work, `${release.name}.dump`)}`,
    `--dbname=${box.pg.url(release.name)}?sslmode=disable`,
  ]);

  // 2. Upload + deploy of the app folder the deploy job deploys (working-directory app), to production.
  let start = now();
  let url = '';
  for await (const event of createDeployment(
    {
      token: box.vercel.token,
      teamId: box.vercel.teamId,
      apiUrl: box.vercel.apiUrl,
      path: join(release.workspace, 'app'),
      skipAutoDetectionConfirmation: true,
    },
    { name: release.name, project: release.name, target: 'production' } as Parameters<
      typeof createDeployment
    >[1],
  )) {
    const payload = event.payload as { url?: string; readyState?: string; errorMessage?: string };
    if (event.type === 'error' || event.type === 'canceled') {
      throw new Error(`createDeployment: ${event.type} ${payload.errorMessage ?? JSON.stringify(payload)}`);
    }
    if (event.type === 'ready' || event.type === 'alias-assigned') {
      url = `https://${payload.url}`;
      if (event.type === 'alias-assigned' || payload.readyState === 'READY') break;
    }
  }
  const deployMs = now() - start;
  if (!url) throw new Error('createDeployment ended without a READY deployment');

  // 3. The validate job's requests: every check of the checks file on the deployment's URL (the job's
  //    base-url is deploy's deployment-url), SAMPLES times each, with plain fetch and nothing else.
  const checks = (
    JSON.parse(await readFile(join(release.workspace, 'checks.json'), 'utf8')) as {
      checks: { url: string }[];
    }
  ).checks.map((c) => (/^https?:\/\//.test(c.url) ? c.url : `${url}${c.url}`));
  start = now();
  for (const checkUrl of checks) {
    for (let n = 0; n < SAMPLES; n++) {
      const res = await fetch(checkUrl);
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${checkUrl}: ${res.status} ${body.slice(0, 200)}`);
    }
  }
  const httpMs = now() - start;
  return { pgDumpMs, deployMs, httpMs, requests: checks.length * SAMPLES, url: checks[0] ?? '' };
}

try {
  const booted = now();
  sandbox = await startPlaybookSandbox();
  const box = sandbox;
  const bootMs = now() - booted;
  // The sites are HTTPS with the sandbox's own CA: trusted by this process's fetch as by the actions
  // (which get NODE_EXTRA_CA_CERTS).
  setDefaultCACertificates([...getCACertificates('default'), box.vercel.ca]);
  const pgVersion = await box.pg.psql('SHOW server_version');
  console.log(
    `playbook happy path (approval granted at once), ${rounds} interleaved round(s), Node ${process.version}, ` +
      `PostgreSQL ${pgVersion} (${box.pg.binDir}), ${availableParallelism()} cores; sandbox up in ${fmt(bootMs).trim()}`,
  );

  const plays: PlaybookSample[] = [];
  const raws: RawSample[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Both releases exist before either is timed, so the release set-up falls on neither.
    const forPlaybook = await box.release({ healthy: true });
    const forRaw = await box.release({ healthy: true });
    const order = round % 2 ? ['playbook', 'raw'] : ['raw', 'playbook'];
    for (const which of order) {
      if (which === 'playbook') plays.push(await playbook(forPlaybook));
      else raws.push(await rawTools(box, forRaw));
    }
    const p = plays.at(-1);
    const r = raws.at(-1);
    if (!p || !r) continue;
    const rawSum = r.pgDumpMs + r.deployMs + r.httpMs;
    const jobSum = Object.values(p.jobs).reduce((a, b) => a + b, 0);
    console.log(
      `  round ${round} (${order.join(' first, ')} second): playbook ${fmt(p.wallMs).trim()} wall, jobs summed ${fmt(jobSum).trim()}; ` +
        `raw pg_dump ${fmt(r.pgDumpMs).trim()} + createDeployment ${fmt(r.deployMs).trim()} + ${r.requests} fetch ${fmt(r.httpMs).trim()} = ${fmt(rawSum).trim()}`,
    );
  }

  // ---- 1. Critical path against the sum of the jobs.
  const jobIds = workflow.jobs.map((j) => j.id);
  const jobSums = plays.map((p) => jobIds.reduce((a, id) => a + (p.jobs[id] ?? 0), 0));
  const walls = plays.map((p) => p.wallMs);
  // The longest chain of job durations through `needs`: what the jobs alone would take with every
  // independent job run at the same time.
  const longestChain = plays.map((p) => {
    const memo = new Map<string, number>();
    const finish = (id: string): number => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      const job = workflow.jobs.find((j) => j.id === id);
      const value = (p.jobs[id] ?? 0) + Math.max(0, ...(job?.needs ?? []).map(finish));
      memo.set(id, value);
      return value;
    };
    return Math.max(...jobIds.map(finish));
  });
  // A chain: every job (in file order) needs the one before it, so no two can ever run at once.
  const chain = workflow.jobs.every((j, i) => i === 0 || j.needs.includes(workflow.jobs[i - 1]?.id ?? ''));
  const overlaps = [...new Set(plays.flatMap((p) => p.overlapped))];
  const pad = 66;
  const row = (label: string, value: string) => console.log(`  ${label.padEnd(pad)} ${value}`);

  console.log(`\n1. Critical path (medians of ${rounds} round(s))`);
  row('critical path: wall time of release.run()', fmt(med(walls)));
  row("  the run's own durationMs (WorkflowRun.durationMs)", fmt(med(plays.map((p) => p.runMs))));
  row("sum of steps: the jobs' own durations, one after another", fmt(med(jobSums)));
  for (const id of jobIds) row(`  job ${id}`, fmt(med(plays.map((p) => p.jobs[id] ?? 0))));
  row("longest needs-chain of the jobs' durations", fmt(med(longestChain)));
  row(
    'ratio critical path / sum of steps',
    `${ratio(med(plays.map((p, i) => p.wallMs / (jobSums[i] ?? 1))), 1)} (median of the per-round ratios)`,
  );
  row(
    'critical path - sum of steps (the runner between jobs)',
    fmtMs(med(plays.map((p, i) => p.wallMs - (jobSums[i] ?? 0)))),
  );
  row('  of which gaps from one job-end event to the next job-start', fmtMs(med(plays.map((p) => p.gapsMs))));
  row(
    "inside the jobs, the runner's own time (jobs - their steps)",
    fmtMs(med(plays.map((p) => Object.values(p.jobOwnMs).reduce((a, b) => a + b, 0)))),
  );
  console.log(
    chain
      ? `  The playbook's jobs form one chain (${jobIds.join(' -> ')}: each needs the one before), so the runner runs them strictly one after another${overlaps.length ? '' : ' (no two jobs overlapped in any round)'}; the ratio shows only the scheduling overhead, there is no parallelism to gain.`
      : `  The jobs do not form a single chain; overlapping jobs seen: ${overlaps.join(', ') || 'none'}.`,
  );
  if (chain && overlaps.length) console.log(`  UNEXPECTED: jobs overlapped: ${overlaps.join(', ')}`);
  console.log('  the steps that ran, medians:');
  const stepNames = [...new Set(plays.flatMap((p) => Object.keys(p.steps)))];
  for (const name of stepNames) row(`    ${name}`, fmt(med(plays.map((p) => p.steps[name] ?? 0))));

  // ---- 2. Overhead over the raw tools.
  const rawSums = raws.map((r) => r.pgDumpMs + r.deployMs + r.httpMs);
  const pgDumpMs = med(raws.map((r) => r.pgDumpMs));
  const deployMs = med(raws.map((r) => r.deployMs));
  const httpMs = med(raws.map((r) => r.httpMs));
  const pausesMs = INITIAL_DELAY_MS + (SAMPLES - 1) * INTERVAL_MS;
  console.log(`\n2. Suite overhead over the raw tools, same rounds (medians of ${rounds} round(s))`);
  row('raw pg_dump -Fc of the database', fmt(pgDumpMs));
  row('raw createDeployment (upload + deploy, production)', fmt(deployMs));
  row(
    `raw fetch: ${raws[0]?.requests ?? 0} GET of ${raws[0]?.url.replace(/:\/\/[^/]+/, '://<deployment>')}`,
    fmt(httpMs),
  );
  row('raw tools, summed', fmt(med(rawSums)));
  row('playbook wall time (release.run())', fmt(med(walls)));
  row(
    'overhead: playbook - raw tools',
    `${fmtSigned(med(walls.map((w, i) => w - (rawSums[i] ?? 0))))} (median of the per-round differences)`,
  );
  row(
    'ratio playbook / raw tools',
    `${ratio(med(walls.map((w, i) => w / (rawSums[i] ?? 1))), 1)} (median of the per-round ratios)`,
  );
  console.log('  where the overhead goes (medians; each job against its raw counterpart):');
  const jobMed = (id: string) => med(plays.map((p) => p.jobs[id] ?? 0));
  row(
    '    jobs with no raw counterpart (preflight, compliance, approve)',
    fmt(jobMed('preflight') + jobMed('compliance') + jobMed('approve')),
  );
  row('    db job - pg_dump (backup + verify + encrypt + migrate)', fmtSigned(jobMed('db') - pgDumpMs));
  row('    deploy job - createDeployment', fmtSigned(jobMed('deploy') - deployMs));
  row('    validate job - fetch', fmtSigned(jobMed('validate') - httpMs));
  row(
    `      of which post-validate's pauses (${SAMPLES - 1} × ${INTERVAL_MS / 1000} s interval${INITIAL_DELAY_MS ? ` + ${INITIAL_DELAY_MS / 1000} s initial delay` : ''})`,
    fmt(pausesMs),
  );
  row(
    '    rollback job (skipped) and scheduling between jobs',
    fmtMs(jobMed('rollback') + med(plays.map((p, i) => p.wallMs - (jobSums[i] ?? 0)))),
  );
  row(
    'overhead without the designed validation pauses',
    `${fmtSigned(med(walls.map((w, i) => w - pausesMs - (rawSums[i] ?? 0))))}, ratio ${ratio(med(walls.map((w, i) => (w - pausesMs) / (rawSums[i] ?? 1))), 1)}`,
  );
} finally {
  await cleanup();
}
