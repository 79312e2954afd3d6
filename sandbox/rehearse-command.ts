/**
 * `deploy-gates rehearse <caller.yml>` (the npm package's CLI) and `npm run rehearse` / `npm run demo`
 * (scripts/rehearse.ts, in a clone): a caller workflow (a team's deploy.yml that calls the playbook) run
 * locally against the sandbox: Vercel, GitHub and Actions artifact emulators, a throwaway PostgreSQL, the
 * team's checkout (or the sample app for a caller outside a repository). The reusable playbook runs job by
 * job through the local runner, every action from its committed bundle. It prints the timeline and what
 * failed, and writes the job summaries to one report.
 *   --break validate   ship a release whose health check fails, to show the rollback (sample app only)
 *   --rerun            after a failure, replay "Re-run failed jobs"
 *   --approve          approve the production environment without asking
 *   --report FILE      where the job summaries go
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/errors.js';
import { infraOutcomeLines, infraPlanSection } from './infra-demo.js';
import { SANDBOX_REVIEWER, SEED_SCHEMA, startPlaybookSandbox } from './playbook.js';
import { findPgBinDir } from './postgres/cluster.js';
import { projectName, rehearse } from './rehearse.js';
import { matrixPlaybookJob } from './rehearse-matrix.js';
import { rehearseMatrixDemo } from './rehearse-matrix-demo.js';
import { demoWatch } from './rehearse-watch.js';
import { callerRepository } from './team-checkout.js';
import type { JobRun, WorkflowEvent, WorkflowRun } from './workflow/run-workflow.js';
import { loadWorkflow } from './workflow/workflow-file.js';

export const REHEARSE_USAGE = `Usage: deploy-gates rehearse <caller.yml> [--approve] [--report FILE] [--rerun]
  Runs your caller workflow (the .github/workflows/deploy.yml that calls the playbook) on a local sandbox,
  with your repository's checkout; needs the PostgreSQL server (apt-get install postgresql) and openssl.`;

type Out = (line: string) => void;

export interface RehearseCommandOptions {
  /** The caller when none is given (`npm run demo`: the README's); without it, no caller is a usage error. */
  defaultCaller?: () => { file: string; name: string };
  /** Where the summaries go without --report. */
  defaultReport?: string;
  cwd?: string;
  out?: Out;
  err?: Out;
  interactive?: boolean;
  /**
   * After the run, the post-deployment watch at T+1 h, T+24 h and T+1 week (sandbox/rehearse-watch.ts): a clone's
   * `npm run demo`, which has actions/watch/README.md and the reusable watch.yml.
   */
  watch?: boolean;
}

class UsageError extends Error {}

/** The run's jobs, a called workflow's jobs named through the job that called it. */
function flatJobs(run: WorkflowRun, prefix = ''): JobRun[] {
  return Object.values(run.jobs).flatMap((j) =>
    j.called ? flatJobs(j.called, `${prefix}${j.id} / `) : [{ ...j, id: `${prefix}${j.id}` }],
  );
}

function timeline(run: WorkflowRun, title: string, out: Out): string {
  const lines = [
    `## ${title} (attempt ${run.attempt}): ${run.result}`,
    '',
    '| Job | Result | Duration |',
    '| --- | --- | --- |',
  ];
  const jobs = flatJobs(run);
  for (const j of jobs) {
    const reused = j.reused ? ' (reused from the earlier attempt)' : '';
    lines.push(
      `| ${j.id} | ${j.result}${reused} | ${j.reused ? '—' : `${(j.durationMs / 1000).toFixed(1)} s`} |`,
    );
    const mark = j.result === 'success' ? '✔' : j.result === 'skipped' ? '·' : '✘';
    out(
      `           ${mark} ${j.id.padEnd(22)} ${j.result.padEnd(8)} ${(j.durationMs / 1000).toFixed(1).padStart(6)} s${reused}`,
    );
    for (const e of j.steps.flatMap((s) => s.errors)) out(`               ${e.split('\n')[0]}`);
  }
  lines.push('');
  // A job summary starts at `##`; under this report's `### Job` headings it moves two levels down.
  const nested = (summary: string) => summary.replace(/^(#{1,4}) /gm, '##$1 ');
  for (const j of jobs)
    if (j.summary.trim() && !j.reused) lines.push(`### Job ${j.id}`, '', nested(j.summary), '');
  return lines.join('\n');
}

/**
 * The caller, checked before anything starts: a file that exists and calls the playbook. True for a
 * caller whose playbook job is a matrix over projects (sandbox/rehearse-matrix-demo.ts rehearses it).
 */
async function checkCaller(file: string): Promise<boolean> {
  if (!existsSync(file))
    throw new UsageError(`${file} does not exist: give the path of your caller workflow`);
  const workflow = await loadWorkflow(file).catch((e: unknown) => {
    throw new UsageError(`${file} is not a workflow the rehearsal can read: ${errorMessage(e)}`);
  });
  if (matrixPlaybookJob(workflow)) return true;
  try {
    projectName(file, workflow);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
  return false;
}

/** Exit code: 0 the run passed (or broke as asked), 1 it failed, 2 bad usage or a missing prerequisite. */
export async function rehearseCommand(argv: string[], opts: RehearseCommandOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = opts.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const cwd = opts.cwd ?? process.cwd();
  let values: { break?: string; rerun?: boolean; approve?: boolean; report?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        break: { type: 'string' },
        rerun: { type: 'boolean', default: false },
        approve: { type: 'boolean', default: false },
        report: { type: 'string', default: opts.defaultReport ?? 'rehearsal-report.md' },
      },
    }));
    if (values.break !== undefined && values.break !== 'validate')
      throw new UsageError(`--break ${values.break}: the break point the rehearsal knows is validate`);
    if (positionals.length > 1) throw new UsageError('give one caller workflow file');
    if (!positionals[0] && !opts.defaultCaller)
      throw new UsageError(
        'give your caller workflow file, e.g. deploy-gates rehearse .github/workflows/deploy.yml',
      );
  } catch (e) {
    err(`error: ${errorMessage(e)}\n${REHEARSE_USAGE}`);
    return 2;
  }
  const given = positionals[0];
  const caller = given
    ? { file: resolve(cwd, given), name: given }
    : (opts.defaultCaller?.() ?? { file: '', name: '' });
  const reportFile = resolve(cwd, values.report ?? 'rehearsal-report.md');
  let matrix: boolean;
  try {
    matrix = await checkCaller(caller.file);
    if (values.break && callerRepository(caller.file))
      throw new UsageError(
        '--break validate breaks the sample app; a caller in a repository is rehearsed with its own checkout',
      );
    // Before any emulator starts: the one prerequisite a user's machine most often lacks.
    await findPgBinDir();
  } catch (e) {
    err(`error: ${errorMessage(e)}`);
    return 2;
  }

  if (matrix)
    return rehearseMatrixDemo({
      caller,
      reportFile,
      broken: values.break ? undefined : null,
      approve: values.approve ?? false,
      out,
      err,
      ...(opts.interactive !== undefined ? { interactive: opts.interactive } : {}),
    });

  const started = Date.now();
  const clock = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
  const onEvent = (e: WorkflowEvent) => {
    if (e.type === 'job-start') out(`${clock()}  ▶ ${e.job}`);
    // The infrastructure plan the approvers read (compliance's summary), before they are asked.
    const plan = e.type === 'job-end' && !e.job.reused ? infraPlanSection(e.job.summary) : undefined;
    if (plan) out(plan.replace(/^/gm, '           │ '));
    if (e.type === 'approval')
      out(
        `${clock()}  ${e.approved ? '✔' : '✘'} ${e.environment} approval for ${e.job}${e.reused ? ' (passed in the earlier attempt)' : ''}`,
      );
  };

  out(`Rehearsing ${caller.name} on the sandbox: Vercel, GitHub and artifact emulators, PostgreSQL…`);
  const sandbox = await startPlaybookSandbox();

  /** Every approval, recorded like GitHub's own record of it: who, when, what and how it was given. */
  const approvals: {
    job: string;
    environment: string;
    approved: boolean;
    by: string;
    at: string;
    how: string;
  }[] = [];
  const interactive = opts.interactive ?? process.stdin.isTTY;
  const approve = async (job: string, environment: string) => {
    const record = (approved: boolean, how: string) => {
      // The sandbox gives the review through GitHub's review endpoint as its reviewer, for whoever answered here.
      approvals.push({
        job,
        environment,
        approved,
        by: `@${SANDBOX_REVIEWER} (the sandbox's reviewer, for ${process.env.USER || 'the local user'})`,
        // GitHub records the review at its own time: the sandbox's night, as every other time in the report.
        at: sandbox.github.now().toISOString(),
        how,
      });
      return approved;
    };
    if (values.approve || !interactive) {
      const how = values.approve
        ? 'approved with --approve'
        : 'approved on your behalf: no terminal to ask on (run it in a terminal to be asked, or pass --approve)';
      out(`${clock()}  ${environment} for ${job}: ${how}`);
      return record(true, how);
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(
      `${clock()}  Approve the ${environment} deployment (job ${job})? The evidence is in the summaries above. [y/N] `,
    );
    rl.close();
    const approved = /^y(es)?$/i.test(answer.trim());
    return record(approved, `answered "${answer.trim()}" at the terminal`);
  };

  const report: string[] = [`# deploy-gates rehearsal: ${caller.name} on the local sandbox`, ''];
  let failed = false;
  try {
    const r = await rehearse(sandbox, {
      caller: caller.file,
      healthy: values.break !== 'validate',
      approve,
      onEvent,
    });
    const oneLine = (v: string) => v.trim().split('\n').join(', ');
    const pointed = r.changed.map(
      (c) => `- \`${c.input}\`: ${oneLine(c.from) || '(not given)'} → ${oneLine(c.to)}`,
    );
    const secrets = r.secrets.map((s) => `- \`${s.name}\`: ${s.standIn}`);
    const checkout = r.checkout
      ? [
          `The checkout: a copy of ${r.checkout.repository}; the sandbox added:`,
          ...r.checkout.added.map((a) => `- \`${a.file}\`: ${a.what}`),
          `The database: empty of your schema (your migrations apply from scratch), but for the sandbox's table ${SEED_SCHEMA}.rows, so the backup has rows to verify`,
        ]
      : ["The checkout: the sandbox's sample app (the caller is in no repository)"];
    out(
      `${checkout.join('\n')}\nPointed at the sandbox:\n${pointed.join('\n')}\nSecrets:\n${secrets.join('\n')}`,
    );
    report.push(
      '## What the rehearsal changed',
      '',
      ...checkout,
      '',
      'Inputs pointed at the sandbox:',
      '',
      ...pointed,
      '',
    );
    const night = r.changed.find((c) => c.input === 'clock-override')?.to;
    if (night)
      report.push(
        `The clock: GitHub (approvals, job starts) and the compliance gate judge the sandbox's night from ${night}, inside the change window; the runner's own clock (preflight's backup age, logs) is the real one.`,
        '',
      );
    report.push('Secrets the caller passes, and what stood in for them:', '', ...secrets, '');
    if (r.ciRun) {
      // The reports preflight judges are the sandbox's, not the team's: say where they came from.
      const ci = `- ${r.ciRun.workflow} run ${r.ciRun.runId} for the deployed commit, successful, with artifact \`${r.ciRun.artifact}\` holding: ${r.ciRun.files.join(', ')}`;
      out(`CI run seeded (reports-workflow):\n${ci}`);
      report.push('The CI run the sandbox seeded for reports-workflow:', '', ci, '');
    }
    report.push(timeline(r.run, 'Run', out));
    let last = r.run;
    if (values.rerun && r.run.result === 'failure') {
      out(`${clock()}  Re-run failed jobs`);
      last = await r.rerun(r.run);
      report.push(timeline(last, 'Re-run failed jobs', out));
    }
    if (r.infra) {
      const lines = infraOutcomeLines(sandbox.kubernetes, r.infra);
      for (const l of lines) out(`${clock()}  infrastructure: ${l}`);
      report.push(
        '## Infrastructure',
        '',
        "The plan the approvers read is in the compliance job's summary above.",
        '',
        ...lines.map((l) => `- ${l}`),
        '',
      );
    }
    // The communication plan: what each channel's receiver got, and whether it answered as the service would.
    const received = sandbox.notify.received(r.release.name);
    out(`${clock()}  Notifications (${received.length}):`);
    for (const m of received)
      out(`           ${m.status < 300 ? '✔' : '✘'} ${m.channel.padEnd(11)} HTTP ${m.status}  ${m.headline}`);
    report.push(
      '## Notifications',
      '',
      'What each channel received (the sandbox receivers answer as Slack, Teams and Statuspage do):',
      '',
      '| Channel | Answer | Message |',
      '| --- | --- | --- |',
      ...received.map((m) => `| ${m.channel} | HTTP ${m.status} | ${m.headline.replace(/\|/g, '\\|')} |`),
      '',
    );
    report.push(
      '## Approvals',
      '',
      '| Job | Environment | Decision | By | At | How |',
      '| --- | --- | --- | --- | --- | --- |',
      ...approvals.map(
        (a) =>
          `| ${a.job} | ${a.environment} | ${a.approved ? 'approved' : 'rejected'} | ${a.by} | ${a.at} | ${a.how} |`,
      ),
      '',
    );
    const live = sandbox.vercel.productionDeploymentId(r.release.name);
    const rolledBack = flatJobs(last).some((j) => j.id.endsWith('rollback') && j.result === 'success');
    const serves =
      live !== r.release.previousDeploymentId
        ? 'the new release'
        : rolledBack
          ? 'the previous release: rolled back'
          : 'the previous release: the new one was not deployed';
    out(`${clock()}  production now serves ${live} (${serves})`);
    let watchFailed = false;
    if (opts.watch) {
      out(`${clock()}  Post-deployment watch, GitHub's clock moved forward:`);
      const watched = await demoWatch(sandbox, r, last, out, onEvent);
      report.push(...watched.report);
      watchFailed = watched.failed;
    }
    failed = (last.result === 'failure' || watchFailed) && values.break === undefined;
  } catch (e) {
    // The rehearsal stopped before or outside the run (a file the caller names but its repository lacks).
    err(`error: ${errorMessage(e)}`);
    report.push(`Stopped: ${errorMessage(e)}`, '');
    failed = true;
  } finally {
    writeFileSync(reportFile, `${report.join('\n')}\n`);
    out(`Job summaries written to ${values.report}`);
    await sandbox.close();
  }
  return failed ? 1 : 0;
}
