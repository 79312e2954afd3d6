/**
 * The post-deployment watch after a rehearsal: the scheduled caller of actions/watch/README.md, taken from
 * the Markdown as a team copies it, run as GitHub runs a schedule (event `schedule`, on the default
 * branch) through the local runner and the reusable watch.yml, against the deployment the rehearsal
 * recorded on the GitHub emulator. No one waits an hour or a day: GitHub's clock (the emulator's) is
 * moved to the caller's first scheduled run after T+1 h, T+24 h and T+1 week, from the deployment's success
 * status. As in the rehearsal, only what names the team's production world is pointed at the sandbox
 * (listed), and every secret the caller passes gets a stand-in (listed, never shown).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../src/policy/package-root.js';
import { markerPrefix } from '../src/watch/horizons.js';
import type { EmulatedDeployment } from './github/emulator.js';
import { type PlaybookSandbox, REPOSITORY, SANDBOX_SHA } from './playbook.js';
import { type YamlBlock, yamlBlocks } from './readme-blocks.js';
import { type Rehearsal, type RehearsalChange, rewriteInputs, VALIDATION_TOKEN } from './rehearse.js';
import {
  type JobRun,
  localActionPath,
  runWorkflow,
  type WorkflowEvent,
  type WorkflowRun,
} from './workflow/run-workflow.js';
import { loadWorkflow, type WorkflowFile } from './workflow/workflow-file.js';

const ROOT = packageRoot();
const REUSABLE = './.github/workflows/watch.yml';
/** Where a team keeps the README's scheduled caller (the README leaves the name to them). */
export const WATCH_CALLER_PATH = '.github/workflows/post-deployment-watch.yml';
const HOUR = 3_600_000;

/** The playbook's horizons: T+1 h final validation, the T+24 h day-after check, the T+1 week review. */
export const DEMO_HORIZONS = [
  { id: 'T+1h', afterMs: HOUR },
  { id: 'T+24h', afterMs: 24 * HOUR },
  { id: 'T+1w', afterMs: 7 * 24 * HOUR },
] as const;

/** actions/watch/README.md's scheduled caller: the block that calls the reusable watch.yml. */
export function watchCaller(): YamlBlock {
  const caller = yamlBlocks('actions/watch/README.md').find((b) =>
    b.text.includes('uses: neonpro/deploy-gates/.github/workflows/watch.yml@'),
  );
  if (!caller) throw new Error('actions/watch/README.md has no caller of the watch workflow');
  return caller;
}

/**
 * The caller's first scheduled run at or after `after`. GitHub runs `M * * * *` (hourly, at minute M) at
 * the next minute M; any other schedule is taken to run right at `after`.
 */
export function firstScheduledRun(cron: string | undefined, after: Date): Date {
  const [minute, ...rest] = (cron ?? '').trim().split(/\s+/);
  if (!/^\d{1,2}$/.test(minute ?? '') || rest.length !== 4 || rest.some((f) => f !== '*')) return after;
  const at = new Date(after);
  at.setUTCMinutes(Number(minute), 0, 0);
  return at < after ? new Date(at.getTime() + HOUR) : at;
}

export interface WatchStatus {
  state: string;
  description: string;
}

/** One scheduled run of the watch caller, at one setting of GitHub's clock. */
export interface WatchRun {
  /** The horizon the clock was moved to (a label; the watch itself decides what is due). */
  horizon: string;
  /** GitHub's clock when the scheduled run started. */
  clock: string;
  run: WorkflowRun;
  /** What the watch step said: the horizons it judged ('' when nothing was due), its verdict. */
  judged: string;
  verdict: string;
  rollbackRecommended: boolean;
  rollbackDispatched: boolean;
  /** The deployment statuses and issue comments this run added. */
  statuses: WatchStatus[];
  comments: string[];
  errors: string[];
}

export interface WatchRehearsal {
  caller: YamlBlock;
  /** The GitHub deployment the rehearsal's run recorded, and when it went live (its success status). */
  deploymentId: number;
  liveSince: string;
  environment: string;
  /** The release issue the sandbox opened for the caller's `issue`. */
  issue: number;
  changed: RehearsalChange[];
  secrets: { name: string; standIn: string }[];
  runs: WatchRun[];
  /** Another scheduled run at `clock` (GitHub's clock): a re-run, or a later horizon. */
  runAt(horizon: string, clock: Date): Promise<WatchRun>;
}

/** The rehearsal's deployment was not live when the watch would start: why it is not watched. */
export interface WatchNotRun {
  skipped: string;
}

export interface RehearseWatchOptions {
  /** Before each horizon's run, with the clock already moved (a test breaks a route here). */
  before?: (horizon: string) => void | Promise<void>;
  onEvent?: (e: WorkflowEvent) => void;
  /** Once the deployment is found, before the first run. */
  onStart?: (w: WatchRehearsal) => void;
  /** After each horizon's run. */
  onRun?: (r: WatchRun, w: WatchRehearsal) => void;
}

function callerJob(file: string, workflow: WorkflowFile) {
  const job = workflow.jobs.find((j) => j.call && localActionPath(j.call.uses) === REUSABLE);
  if (!job?.call) throw new Error(`${file} has no job that calls ${REUSABLE.slice(2)}`);
  return job.call;
}

/** The rehearsal's GitHub deployment: the one its run (by run id, as vercel-deploy finds it again) recorded. */
function recordedDeployment(sandbox: PlaybookSandbox, runId: string): EmulatedDeployment | undefined {
  return sandbox.github
    .deployments(REPOSITORY)
    .find((d) => (d.payload as { deployGatesRun?: unknown } | null)?.deployGatesRun === runId);
}

async function api(sandbox: PlaybookSandbox, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sandbox.github.apiUrl}/repos/${REPOSITORY}${path}`, {
    method,
    headers: { authorization: `token ${sandbox.github.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`GitHub emulator: ${method} ${path} answered ${res.status}`);
  return res.json() as Promise<unknown>;
}

/**
 * Runs the watch caller at T+1 h, T+24 h and T+1 week after the rehearsal's deployment went live. A deployment that
 * is not live any more (rolled back: its latest status is not success) is not watched: there is nothing
 * new in production to judge, and the watch would only measure the release the rollback put back.
 */
export async function rehearseWatch(
  sandbox: PlaybookSandbox,
  rehearsal: Pick<Rehearsal, 'release' | 'outage'>,
  last: WorkflowRun,
  opts: RehearseWatchOptions = {},
): Promise<WatchRehearsal | WatchNotRun> {
  const caller = watchCaller();
  const file = join(mkdtempSync(join(tmpdir(), 'dg-watch-caller-')), 'post-deployment-watch.yml');
  writeFileSync(file, caller.text);
  const workflow = await loadWorkflow(file);
  const call = callerJob(file, workflow);
  const parsed = parseYaml(caller.text) as { on?: { schedule?: { cron?: string }[] } };
  const cron = parsed.on?.schedule?.[0]?.cron;

  const deployment = recordedDeployment(sandbox, last.runId);
  if (!deployment)
    return {
      skipped: `the run recorded no GitHub deployment (it did not deploy): nothing went live to watch`,
    };
  const [latest] = deployment.statuses;
  const live = deployment.statuses.filter((s) => s.state === 'success').at(-1);
  if (!live || latest?.state !== 'success')
    return {
      skipped: `the release was rolled back: GitHub deployment ${deployment.id} of ${deployment.environment} is not live, its latest status is ${latest?.state ?? 'none'}${latest?.description ? ` ("${latest.description}")` : ''}. Production serves the release the rollback put back, which is not new, and the watch judges only a deployment that went live and stayed live: at T+1h, T+24h and T+1w there is nothing new to judge`,
    };
  const liveSince = new Date(live.created_at);
  const site = live.environment_url || sandbox.vercel.productionUrl(rehearsal.release.name);

  // The team's release issue is not in the sandbox: the sandbox opens one and the caller's `issue` names it.
  const issue = (
    (await api(sandbox, 'POST', '/issues', {
      title: `Release ${rehearsal.release.name} (${SANDBOX_SHA.slice(0, 7)})`,
      body: 'The release issue the rehearsal opened for the watch to comment on.',
    })) as { number: number }
  ).number;
  const rewrites: Record<string, (value: string) => string> = {
    'production-url': (v) => (v ? site : v),
    'api-host-url': (v) => (v ? site : v),
    issue: (v) => (v && v !== '0' ? String(issue) : v),
  };
  const changed: RehearsalChange[] = [];
  const rewrite = (_job: string, inputs: Record<string, unknown>) => {
    const { out, changes } = rewriteInputs(inputs, rewrites);
    changed.splice(0, changed.length, ...changes);
    return out;
  };

  // `secrets: inherit` passes the repository's secrets: those the reusable workflow declares. Otherwise
  // the ones the caller names.
  const reusable = parseYaml(readFileSync(join(ROOT, REUSABLE), 'utf8')) as {
    on?: { workflow_call?: { secrets?: object } };
  };
  const named =
    call.secrets === 'inherit'
      ? Object.keys(reusable?.on?.workflow_call?.secrets ?? {})
      : [...new Set([...caller.text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''))];
  const standIns: Record<string, [string, string]> = {
    WATCH_BEARER_TOKEN: [VALIDATION_TOKEN, 'the token the stand-in API routes accept'],
    ...Object.fromEntries(
      Object.entries(sandbox.notify.secrets).map(([name, value]) => [
        name,
        [value, "the sandbox's notification receivers (unused: the caller sets no notify-channels)"] as [
          string,
          string,
        ],
      ]),
    ),
  };
  const secrets = Object.fromEntries(named.flatMap((n) => (standIns[n] ? [[n, standIns[n][0]]] : [])));

  let runs = 0;
  const runAt = async (horizon: string, clock: Date): Promise<WatchRun> => {
    sandbox.github.setClock(clock.toISOString());
    await opts.before?.(horizon);
    const before = new Set(deployment.statuses.map((s) => s.id));
    const commentsBefore = ((await api(sandbox, 'GET', `/issues/${issue}/comments`)) as unknown[]).length;
    const runId = String(Date.now() * 10 + (++runs % 10));
    const run = await runWorkflow({
      workflow,
      repoRoot: ROOT,
      workspace: rehearsal.release.workspace,
      secrets,
      rewriteCallInputs: rewrite,
      // A schedule runs on the default branch's newest commit, started by no one in particular.
      github: {
        token: sandbox.github.token,
        repository: REPOSITORY,
        sha: SANDBOX_SHA,
        event_name: 'schedule',
        actor: 'github-actions[bot]',
        triggering_actor: 'github-actions[bot]',
      },
      env: { NODE_EXTRA_CA_CERTS: sandbox.vercel.caFile, GITHUB_API_URL: sandbox.github.apiUrl },
      runId,
      ...(opts.onEvent
        ? {
            onEvent: (e: WorkflowEvent) =>
              opts.onEvent?.(e.type === 'job-start' ? { ...e, job: `${horizon}: ${e.job}` } : e),
          }
        : {}),
    });
    sandbox.github.addWorkflowRun(REPOSITORY, {
      id: Number(runId),
      path: WATCH_CALLER_PATH,
      event: 'schedule',
      head_branch: 'main',
      head_sha: SANDBOX_SHA,
      status: 'completed',
      conclusion: run.result,
      created_at: clock.toISOString(),
    });
    const step = watchStep(run);
    const comments = (
      (await api(sandbox, 'GET', `/issues/${issue}/comments?per_page=100`)) as { body: string }[]
    )
      .slice(commentsBefore)
      .map((c) => c.body);
    return {
      horizon,
      clock: clock.toISOString(),
      run,
      judged: step?.outputs.horizons ?? '',
      verdict: step?.outputs.verdict ?? '',
      rollbackRecommended: step?.outputs['rollback-recommended'] === 'true',
      rollbackDispatched: step?.outputs['rollback-dispatched'] === 'true',
      statuses: deployment.statuses
        .filter((s) => !before.has(s.id))
        .reverse()
        .map((s) => ({ state: s.state, description: s.description })),
      comments,
      errors: flatJobs(run).flatMap((j) => j.steps.flatMap((s) => s.errors)),
    };
  };

  const result: WatchRehearsal = {
    caller,
    deploymentId: deployment.id,
    liveSince: liveSince.toISOString(),
    environment: deployment.environment,
    issue,
    changed,
    secrets: named.map((n) => ({ name: n, standIn: standIns[n]?.[1] ?? 'not set in the rehearsal' })),
    runs: [],
    runAt,
  };
  opts.onStart?.(result);
  for (const h of DEMO_HORIZONS) {
    const r = await runAt(h.id, firstScheduledRun(cron, new Date(liveSince.getTime() + h.afterMs)));
    result.runs.push(r);
    opts.onRun?.(r, result);
  }
  return result;
}

/** The run's jobs, a called workflow's jobs named through the job that called it (`watch / watch`). */
function flatJobs(run: WorkflowRun, prefix = ''): JobRun[] {
  return Object.values(run.jobs).flatMap((j) =>
    j.called ? flatJobs(j.called, `${prefix}${j.id} / `) : [{ ...j, id: `${prefix}${j.id}` }],
  );
}

/** The watch action's step (id `watch` in watch.yml) of a run of the caller. */
function watchStep(run: WorkflowRun) {
  return flatJobs(run)
    .flatMap((j) => j.steps)
    .find((s) => s.id === 'watch');
}

/** True when a status is one of the watch's horizon markers. */
export const isWatchMarker = (description: string, horizon: 'T+1h' | 'T+24h' | 'T+1w') =>
  description.startsWith(markerPrefix(horizon));

/**
 * The demo's part: runs the watch after the rehearsal, prints each horizon's result and returns the
 * report's section, and whether the watch did what it should (a healthy release passes every horizon).
 */
export async function demoWatch(
  sandbox: PlaybookSandbox,
  rehearsal: Pick<Rehearsal, 'release' | 'outage'>,
  last: WorkflowRun,
  out: (line: string) => void,
  onEvent?: (e: WorkflowEvent) => void,
): Promise<{ report: string[]; failed: boolean; watch: WatchRehearsal | WatchNotRun }> {
  const report = ['## The post-deployment watch', ''];
  let failed = false;
  const w = await rehearseWatch(sandbox, rehearsal, last, {
    ...(onEvent ? { onEvent } : {}),
    onStart: (w) =>
      out(
        `           The scheduled caller of ${w.caller.file} line ${w.caller.line} on GitHub deployment ${w.deploymentId}, live since ${w.liveSince}:`,
      ),
    onRun: (r, w) => {
      const ok = r.run.result === 'success' && r.verdict === 'pass';
      if (!ok) failed = true;
      out(
        `           ${ok ? '✔' : '✘'} ${r.horizon.padEnd(6)} GitHub clock ${r.clock}  run ${r.run.result}, judged ${r.judged || 'nothing'}: ${r.verdict || 'no verdict'}`,
      );
      for (const s of r.statuses) out(`               deployment status ${s.state}: ${s.description}`);
      for (const c of r.comments) out(`               comment on #${w.issue}: ${c.split('\n')[0]}`);
      for (const e of r.errors) out(`               ${e.split('\n')[0]}`);
    },
  });
  if ('skipped' in w) {
    out(`           Not run: ${w.skipped}`);
    report.push(`Not run: ${w.skipped}.`, '');
    return { report, failed: false, watch: w };
  }
  const source = `${w.caller.file} line ${w.caller.line}`;
  const oneLine = (v: string) => v.trim().split('\n').join(', ');
  const pointed = w.changed.map(
    (c) => `- \`${c.input}\`: ${oneLine(c.from) || '(not given)'} → ${oneLine(c.to)}`,
  );
  const secrets = w.secrets.map((s) => `- \`${s.name}\`: ${s.standIn}`);
  report.push(
    `The scheduled caller of ${source}, run as GitHub runs a schedule (through the reusable watch.yml), against GitHub deployment ${w.deploymentId} of ${w.environment}, live since ${w.liveSince} by GitHub's clock. No one waited: GitHub's clock was moved to the caller's first scheduled run after each horizon.`,
    '',
    `Inputs pointed at the sandbox (the team's release issue is not in the sandbox: it opened #${w.issue} for the comments):`,
    '',
    ...pointed,
    '',
    'Secrets the caller passes (`secrets: inherit`: those watch.yml declares), and what stood in for them:',
    '',
    ...secrets,
    '',
    '| Horizon | GitHub clock | Run | Judged | Verdict | Deployment status recorded |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of w.runs) {
    const recorded = r.statuses.map((s) => `${s.state}: ${s.description}`).join('; ') || 'nothing';
    report.push(
      `| ${r.horizon} | ${r.clock} | ${r.run.result} | ${r.judged || 'nothing'} | ${r.verdict || '—'} | ${recorded.replace(/\|/g, '\\|')} |`,
    );
  }
  report.push('');
  // A job summary starts at `##`; under this section's `###` headings it moves two levels down.
  const nested = (summary: string) => summary.replace(/^(#{1,4}) /gm, '##$1 ');
  for (const r of w.runs) {
    for (const c of r.comments)
      report.push(
        `The comment the ${r.horizon} run posted on the release issue #${w.issue}:`,
        '',
        ...c.split('\n').map((l) => `> ${l}`),
        '',
      );
    for (const j of flatJobs(r.run))
      if (j.summary.trim()) report.push(`### ${r.horizon}: job ${j.id}`, '', nested(j.summary), '');
  }
  return { report, failed, watch: w };
}
