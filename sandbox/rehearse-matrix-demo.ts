/**
 * The matrix part of `npm run demo`: the README's "Many projects at once" block (deploy-all.yml) rehearsed
 * on a sandbox of its own, one project shipped with a failing health check. Per project it prints the
 * timeline of its call of the playbook and which release production serves, then one summary across the
 * projects; the same goes into the report, after the single caller's part.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { errorMessage } from '../src/errors.js';
import { infraOutcomeLines } from './infra-demo.js';
import { startPlaybookSandbox } from './playbook.js';
import {
  type MatrixProject,
  matrixCalls,
  matrixPlaybookJob,
  readmeMatrixCaller,
  rehearseMatrix,
  servedRelease,
} from './rehearse-matrix.js';
import { matrixJobName } from './workflow/matrix.js';
import type { WorkflowEvent } from './workflow/run-workflow.js';
import { loadWorkflow } from './workflow/workflow-file.js';

type Out = (line: string) => void;

export interface MatrixDemoOptions {
  /** Where the timelines and the summary go. */
  reportFile: string;
  /** Add to the report (the demo: after the single caller's part) instead of writing it. */
  append?: boolean;
  /** The caller (default the README's matrix block, as `npm run demo` rehearses it). */
  caller?: { file: string; name: string };
  /** The project that ships broken: default the matrix's last; null none (a rehearsal of a team's caller). */
  broken?: string | null;
  /** Approve without asking (as --approve, or when there is no terminal). */
  approve?: boolean;
  interactive?: boolean;
  out?: Out;
  err?: Out;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A project's call of the playbook, job by job; its lines for the terminal and for the report. */
function projectTimeline(p: MatrixProject, out: Out): string[] {
  const jobs = Object.values(p.run?.called?.jobs ?? {});
  const lines = ['| Job | Result | Duration |', '| --- | --- | --- |'];
  for (const j of jobs) {
    const mark = j.result === 'success' ? '✔' : j.result === 'skipped' ? '·' : '✘';
    out(`           ${mark} ${j.id.padEnd(22)} ${j.result.padEnd(8)} ${seconds(j.durationMs).padStart(8)}`);
    for (const e of j.steps.flatMap((s) => s.errors)) out(`               ${e.split('\n')[0]}`);
    lines.push(`| ${j.id} | ${j.result} | ${seconds(j.durationMs)} |`);
  }
  return lines;
}

/** 0: the healthy projects released and the broken one rolled back alone; 1 otherwise. */
export async function rehearseMatrixDemo(opts: MatrixDemoOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = opts.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const caller =
    opts.caller ??
    (() => {
      const block = readmeMatrixCaller();
      const file = join(mkdtempSync(join(tmpdir(), 'dg-matrix-caller-')), 'deploy-all.yml');
      writeFileSync(file, block.text);
      return { file, name: `the README's "Many projects at once" block (${block.file} line ${block.line})` };
    })();
  const file = caller.file;
  const started = Date.now();
  const clock = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
  // A run of the matrix is named as GitHub shows it (`playbook (<every value>)`): here by its project.
  const job = matrixPlaybookJob(await loadWorkflow(file));
  const calls = job ? matrixCalls(job) : [];
  const names = calls.map((c) => [
    job
      ? matrixJobName(
          job.id,
          job.name,
          c.combination,
          { matrix: c.combination },
          { failed: false, cancelled: false },
        )
      : '',
    `[${String(c.with['vercel-project'])}]`,
  ]);
  const short = (name: string) =>
    names.reduce((n, [long = '', project = '']) => n.replace(long, project), name);
  const onEvent = (e: WorkflowEvent) => {
    if (e.type === 'job-start') out(`${clock()}  ▶ ${short(e.job)}`);
    if (e.type === 'approval')
      out(`${clock()}  ${e.approved ? '✔' : '✘'} ${e.environment} approval for ${short(e.job)}`);
  };
  // The matrix's approvals are pending together: at a terminal they are asked one after the other.
  let asking = Promise.resolve();
  const interactive = opts.interactive ?? process.stdin.isTTY;
  const decisions: { job: string; environment: string; approved: boolean; how: string }[] = [];
  const approve = (job: string, environment: string): Promise<boolean> => {
    const answer = asking.then(async () => {
      if (opts.approve || !interactive) {
        const how = opts.approve
          ? 'approved with --approve'
          : 'approved on your behalf: no terminal to ask on';
        out(`${clock()}  ${environment} for ${short(job)}: ${how}`);
        decisions.push({ job, environment, approved: true, how });
        return true;
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const said = await rl.question(
        `${clock()}  Approve the ${environment} deployment of ${short(job)}? [y/N] `,
      );
      rl.close();
      const approved = /^y(es)?$/i.test(said.trim());
      decisions.push({ job, environment, approved, how: `answered "${said.trim()}" at the terminal` });
      return approved;
    });
    asking = answer.then(() => undefined);
    return answer;
  };

  out('');
  out(`Rehearsing ${caller.name}, a matrix over projects, on a sandbox of its own…`);
  const sandbox = await startPlaybookSandbox();
  const report: string[] = [
    ...(opts.append ? [''] : []),
    `# deploy-gates rehearsal: ${caller.name}, a matrix over projects, on the local sandbox`,
    '',
  ];
  let code = 0;
  try {
    const broken =
      opts.broken === null ? undefined : (opts.broken ?? String(calls.at(-1)?.with['vercel-project'] ?? ''));
    if (broken)
      out(
        `           ${broken} ships a release whose health check fails; fail-fast: false keeps the others going`,
      );
    const r = await rehearseMatrix(sandbox, {
      caller: file,
      ...(broken ? { broken: [broken] } : {}),
      approve,
      onEvent,
    });
    report.push(
      `${r.projects.length} projects, one call of the playbook each${broken ? `; ${broken} shipped a release whose health check fails` : ''}.`,
      '',
      'Secrets the caller passes, and what stood in for them:',
      '',
      ...r.secrets.map((s) => `- \`${s.name}\`: ${s.standIn}`),
      '',
    );
    const summary: string[] = [
      '## Across projects',
      '',
      '| Project | Run | Approval | Validate | Rollback | Production serves |',
      '| --- | --- | --- | --- | --- | --- |',
    ];
    out(`${clock()}  Per project:`);
    for (const p of r.projects) {
      const served = servedRelease(sandbox, p);
      const called = p.run?.called?.jobs ?? {};
      const serves =
        served.what === 'new'
          ? `${served.deploymentId} (the new release)`
          : served.what === 'rolled back'
            ? `${served.deploymentId} (the previous release: rolled back, database restored from the pre-deploy backup)`
            : `${served.deploymentId} (the previous release: the new one was not deployed)`;
      out(`         ${p.project} (job ${p.run?.id ?? 'not run'}): ${p.run?.result ?? 'not run'}`);
      const timeline = projectTimeline(p, out);
      out(`           production of ${p.project} serves ${serves}`);
      const infra = p.infra ? infraOutcomeLines(sandbox.kubernetes, p.infra) : [];
      for (const l of infra) out(`           infrastructure: ${l}`);
      report.push(
        `## ${p.project}: ${p.run?.result ?? 'not run'}`,
        '',
        `Job \`${p.run?.id ?? ''}\`${p.healthy ? '' : ' (shipped broken)'}; inputs pointed at the sandbox: ${p.changed.map((c) => `\`${c.input}\``).join(', ')}.`,
        '',
        ...(p.checkout
          ? [
              `The checkout: a copy of ${p.checkout.repository}; the sandbox added: ${p.checkout.added.map((a) => `\`${a.file}\``).join(', ')}.`,
              '',
            ]
          : []),
        ...timeline,
        '',
        `Production serves ${serves}.`,
        '',
        ...infra.map((l) => `Infrastructure: ${l}.\n`),
      );
      const approval = called.approve?.environment;
      summary.push(
        `| ${p.project} | ${p.run?.result ?? 'not run'} | ${approval ? `${approval.name}: ${approval.approved ? 'approved' : 'rejected'}` : '—'} | ${called.validate?.result ?? '—'} | ${called.rollback?.result ?? '—'} | ${serves} |`,
      );
      const expected = p.healthy ? served.what === 'new' : served.what === 'rolled back';
      if (!expected) code = 1;
    }
    out(`${clock()}  Across projects:`);
    for (const p of r.projects) {
      const served = servedRelease(sandbox, p);
      out(
        `           ${p.project.padEnd(18)} ${(p.run?.result ?? 'not run').padEnd(8)} production: ${served.what === 'new' ? 'the new release' : served.what === 'rolled back' ? 'rolled back to the previous release' : 'the previous release'}`,
      );
    }
    report.push(
      ...summary,
      '',
      '## Approvals',
      '',
      '| Job | Environment | Decision | How |',
      '| --- | --- | --- | --- |',
    );
    for (const d of decisions)
      report.push(`| ${d.job} | ${d.environment} | ${d.approved ? 'approved' : 'rejected'} | ${d.how} |`);
    report.push('');
  } catch (e) {
    err(`error: ${errorMessage(e)}`);
    report.push(`Stopped: ${errorMessage(e)}`, '');
    code = 1;
  } finally {
    (opts.append ? appendFileSync : writeFileSync)(opts.reportFile, `${report.join('\n')}\n`);
    out(
      `The matrix's timelines and summary ${opts.append ? 'were added to' : 'written to'} ${opts.reportFile}`,
    );
    await sandbox.close();
  }
  return code;
}
