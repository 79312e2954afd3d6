// `npm run rehearse -- [caller.yml]`: a caller workflow (a team's deploy.yml that calls the playbook) run
// locally against the sandbox: Vercel, GitHub and Actions artifact emulators, a throwaway PostgreSQL, a
// sample app with a migration. The reusable playbook runs job by job through the local runner, every action
// from its committed bundle. Without a file it rehearses the README's caller, as written in README.md:
// that is `npm run demo`.
//   --break validate   ship a release whose health check fails, to show the rollback
//   --rerun            after a failure, replay "Re-run failed jobs"
//   --approve          approve the production environment without asking
//   --report FILE      where the job summaries go (default demo-report.md)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { SANDBOX_REVIEWER, startPlaybookSandbox } from '../sandbox/playbook.js';
import { readmeCaller } from '../sandbox/readme-blocks.js';
import { rehearse } from '../sandbox/rehearse.js';
import type { JobRun, WorkflowEvent, WorkflowRun } from '../sandbox/workflow/run-workflow.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    break: { type: 'string' },
    rerun: { type: 'boolean', default: false },
    approve: { type: 'boolean', default: false },
    report: { type: 'string', default: 'demo-report.md' },
  },
});
if (values.break !== undefined && values.break !== 'validate') {
  console.error(`--break ${values.break}: the break point the rehearsal knows is validate`);
  process.exit(2);
}
if (positionals.length > 1) {
  console.error('Give one caller workflow file (or none for the README’s caller).');
  process.exit(2);
}

let callerFile: string;
let callerName: string;
if (positionals[0]) {
  callerFile = resolve(positionals[0]);
  callerName = positionals[0];
} else {
  const block = readmeCaller();
  callerFile = join(mkdtempSync(join(tmpdir(), 'dg-caller-')), 'deploy.yml');
  writeFileSync(callerFile, block.text);
  callerName = `the README's caller (${block.file} line ${block.line})`;
}

const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
const onEvent = (e: WorkflowEvent) => {
  if (e.type === 'job-start') console.log(`${clock()}  ▶ ${e.job}`);
  if (e.type === 'approval')
    console.log(
      `${clock()}  ${e.approved ? '✔' : '✘'} ${e.environment} approval for ${e.job}${e.reused ? ' (passed in the earlier attempt)' : ''}`,
    );
};

/** Every approval, recorded like GitHub's own record of it: who, when, what and how it was given. */
const approvals: {
  job: string;
  environment: string;
  approved: boolean;
  by: string;
  at: string;
  how: string;
}[] = [];
const approve = async (job: string, environment: string) => {
  const record = (approved: boolean, how: string) => {
    // The sandbox gives the review through GitHub's review endpoint as its reviewer, for whoever answered here.
    approvals.push({
      job,
      environment,
      approved,
      by: `@${SANDBOX_REVIEWER} (the sandbox's reviewer, for ${process.env.USER || 'the local user'})`,
      at: new Date().toISOString(),
      how,
    });
    return approved;
  };
  if (values.approve || !process.stdin.isTTY) {
    const how = values.approve
      ? 'approved with --approve'
      : 'approved on your behalf: no terminal to ask on (run it in a terminal to be asked, or pass --approve)';
    console.log(`${clock()}  ${environment} for ${job}: ${how}`);
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

/** The run's jobs, a called workflow's jobs named through the job that called it. */
function flatJobs(run: WorkflowRun, prefix = ''): JobRun[] {
  return Object.values(run.jobs).flatMap((j) =>
    j.called ? flatJobs(j.called, `${prefix}${j.id} / `) : [{ ...j, id: `${prefix}${j.id}` }],
  );
}

function timeline(run: WorkflowRun, title: string): string {
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
    console.log(
      `           ${mark} ${j.id.padEnd(22)} ${j.result.padEnd(8)} ${(j.durationMs / 1000).toFixed(1).padStart(6)} s${reused}`,
    );
    for (const e of j.steps.flatMap((s) => s.errors)) console.log(`               ${e.split('\n')[0]}`);
  }
  lines.push('');
  // A job summary starts at `##`; under this report's `### Job` headings it moves two levels down.
  const nested = (summary: string) => summary.replace(/^(#{1,4}) /gm, '##$1 ');
  for (const j of jobs)
    if (j.summary.trim() && !j.reused) lines.push(`### Job ${j.id}`, '', nested(j.summary), '');
  return lines.join('\n');
}

console.log(
  `Rehearsing ${callerName} on the sandbox: Vercel, GitHub and artifact emulators, PostgreSQL, a sample app…`,
);
const sandbox = await startPlaybookSandbox();
const report: string[] = [`# deploy-gates rehearsal: ${callerName} on the local sandbox`, ''];
let failed = false;
try {
  const r = await rehearse(sandbox, {
    caller: callerFile,
    healthy: values.break !== 'validate',
    approve,
    onEvent,
  });
  const oneLine = (v: string) => v.trim().split('\n').join(', ');
  const pointed = r.changed.map(
    (c) => `- \`${c.input}\`: ${oneLine(c.from) || '(not given)'} → ${oneLine(c.to)}`,
  );
  const secrets = r.secrets.map((s) => `- \`${s.name}\`: ${s.standIn}`);
  console.log(`Pointed at the sandbox:\n${pointed.join('\n')}\nSecrets:\n${secrets.join('\n')}`);
  report.push('## What the rehearsal changed', '', 'Inputs pointed at the sandbox:', '', ...pointed, '');
  report.push('Secrets the caller passes, and what stood in for them:', '', ...secrets, '');
  report.push(timeline(r.run, 'Run'));
  let last = r.run;
  if (values.rerun && r.run.result === 'failure') {
    console.log(`${clock()}  Re-run failed jobs`);
    last = await r.rerun(r.run);
    report.push(timeline(last, 'Re-run failed jobs'));
  }
  // The communication plan: what each channel's receiver got, and whether it answered as the service would.
  const received = sandbox.notify.received(r.release.name);
  console.log(`${clock()}  Notifications (${received.length}):`);
  for (const m of received)
    console.log(
      `           ${m.status < 300 ? '✔' : '✘'} ${m.channel.padEnd(11)} HTTP ${m.status}  ${m.headline}`,
    );
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
  console.log(
    `${clock()}  production now serves ${live}${live === r.release.previousDeploymentId ? ' (the previous release: rolled back)' : ' (the new release)'}`,
  );
  failed = last.result === 'failure' && values.break === undefined;
} finally {
  writeFileSync(values.report, `${report.join('\n')}\n`);
  console.log(`Job summaries written to ${values.report}`);
  await sandbox.close();
}
process.exit(failed ? 1 : 0);
