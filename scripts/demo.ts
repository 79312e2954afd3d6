// `npm run demo`: the deployment playbook run locally. The sandbox (Vercel and GitHub emulators, a
// throwaway PostgreSQL, a sample app with a migration) is started, then .github/workflows/playbook.yml
// itself runs job by job through the local runner, every action from its committed bundle.
//   --break validate   ship a release whose health check fails, to show the rollback
//   --rerun            after a failure, replay "Re-run failed jobs"
//   --approve          approve the production environment without asking
//   --report FILE      where the job summaries go (default demo-report.md)
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { startPlaybookSandbox } from '../sandbox/playbook.js';
import type { WorkflowEvent, WorkflowRun } from '../sandbox/workflow/run-workflow.js';

const { values } = parseArgs({
  options: {
    break: { type: 'string' },
    rerun: { type: 'boolean', default: false },
    approve: { type: 'boolean', default: false },
    report: { type: 'string', default: 'demo-report.md' },
  },
});
if (values.break !== undefined && values.break !== 'validate') {
  console.error(`--break ${values.break}: the break point the demo knows is validate`);
  process.exit(2);
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
const approve = async (job: string, environment: string) => {
  if (values.approve || !process.stdin.isTTY) {
    console.log(
      `${clock()}  approving ${environment} for ${job} (${values.approve ? '--approve' : 'no terminal to ask on'})`,
    );
    return true;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(
    `${clock()}  Approve the ${environment} deployment (job ${job})? The evidence is in the summaries above. [y/N] `,
  );
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
};

function timeline(run: WorkflowRun, title: string): string {
  const lines = [
    `## ${title} (attempt ${run.attempt}): ${run.result}`,
    '',
    '| Job | Result | Duration |',
    '| --- | --- | --- |',
  ];
  for (const j of Object.values(run.jobs)) {
    lines.push(
      `| ${j.id} | ${j.result}${j.reused ? ' (reused)' : ''} | ${(j.durationMs / 1000).toFixed(1)} s |`,
    );
    const mark = j.result === 'success' ? '✔' : j.result === 'skipped' ? '·' : '✘';
    console.log(
      `           ${mark} ${j.id.padEnd(11)} ${j.result.padEnd(8)} ${(j.durationMs / 1000).toFixed(1).padStart(6)} s${j.reused ? '  (reused)' : ''}`,
    );
    for (const e of j.steps.flatMap((s) => s.errors)) console.log(`               ${e.split('\n')[0]}`);
  }
  lines.push('');
  for (const j of Object.values(run.jobs))
    if (j.summary.trim()) lines.push(`### Job ${j.id}`, '', j.summary, '');
  return lines.join('\n');
}

console.log('Starting the sandbox: Vercel and GitHub API emulators, PostgreSQL, a sample app…');
const sandbox = await startPlaybookSandbox();
const report: string[] = ['# deploy-gates demo: the playbook workflow on the local sandbox', ''];
let failed = false;
try {
  const release = await sandbox.release({ healthy: values.break !== 'validate' });
  console.log(`${clock()}  release of ${release.name}; production serves ${release.previousDeploymentId}`);
  const first = await release.run({ approve, onEvent });
  report.push(timeline(first, 'Run'));
  if (values.rerun && first.result === 'failure') {
    console.log(`${clock()}  Re-run failed jobs`);
    const again = await release.run({ previous: first, approve, onEvent });
    report.push(timeline(again, 'Re-run failed jobs'));
  }
  const live = sandbox.vercel.productionDeploymentId(release.name);
  console.log(
    `${clock()}  production now serves ${live}${live === release.previousDeploymentId ? ' (the previous release: rolled back)' : ' (the new release)'}`,
  );
  failed = first.result === 'failure' && values.break === undefined;
} finally {
  writeFileSync(values.report, `${report.join('\n')}\n`);
  console.log(`Job summaries written to ${values.report}`);
  await sandbox.close();
}
process.exit(failed ? 1 : 0);
