import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { withClient } from '../db/queries.js';
import { runProgram } from '../db/run-tool.js';
import { ReportedFailure } from '../errors.js';
import { type Runner, runContext } from '../runner/runner.js';
import { childEnvironment } from '../util/child-env.js';
import { type InfraInputs, type InfraMode, readInfraInputs } from './inputs.js';
import { readInfraJournal, writeInfraJournal } from './journal.js';

/**
 * infra-change: the playbook's infrastructure step as a stage. plan (before the approval) runs kubectl's
 * server-side dry run and diff and shows the diff to the approvers; apply (after it) applies; undo (the
 * rollback) runs `kubectl rollout undo` or re-applies the previous manifests. Another tool (Terraform,
 * Helm) takes the same slot through plan-/apply-/undo-command. apply and undo are journaled in the
 * deploy_gates schema when database-url is set.
 */

const PLAN_OUTPUT_MAX = 60_000;

interface Step {
  /** What the journal keys the change by. */
  change: string;
  label: string;
  program: string;
  args: string[];
}

function digest(parts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function manifestBytes(inputs: InfraInputs): Buffer[] {
  return inputs.manifests.flatMap((m) => {
    try {
      return [Buffer.from(m), readFileSync(m)];
    } catch {
      // A folder: its file list and files.
      return [Buffer.from(m)];
    }
  });
}

function kubectlArgs(inputs: InfraInputs, args: string[]): string[] {
  return [...(inputs.namespace ? ['--namespace', inputs.namespace] : []), ...args];
}

const fileArgs = (inputs: InfraInputs) => inputs.manifests.flatMap((m) => ['-f', m]);

function steps(inputs: InfraInputs, mode: Exclude<InfraMode, 'plan'>): Step[] {
  const own = inputs.commands[mode];
  if (own)
    return [
      { change: digest([mode, ...own]), label: own.join(' '), program: own[0] as string, args: own.slice(1) },
    ];
  if (mode === 'undo' && inputs.rolloutUndo.length > 0)
    return inputs.rolloutUndo.map((w) => ({
      change: digest(['rollout-undo', inputs.namespace, w]),
      label: `kubectl rollout undo ${w}`,
      program: 'kubectl',
      args: kubectlArgs(inputs, ['rollout', 'undo', w]),
    }));
  return [
    {
      change: digest([mode, inputs.namespace, ...manifestBytes(inputs)]),
      label: `kubectl apply ${inputs.manifestNames.map((m) => `-f ${m}`).join(' ')}`,
      program: 'kubectl',
      args: kubectlArgs(inputs, ['apply', '--validate=false', ...fileArgs(inputs)]),
    },
  ];
}

/** The secret parts of a kubeconfig (tokens, keys, passwords), masked line by line as well as whole. */
function maskKubeconfig(runner: Runner, raw: string): void {
  for (const m of raw.matchAll(
    /^\s*(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token):\s*["']?([^"'\s]+)/gm,
  ))
    if (m[1] && m[1].length >= 4) runner.setSecret(m[1]);
  for (const line of raw.split(/\r?\n/)) if (line.trim().length >= 16) runner.setSecret(line.trim());
  try {
    parseDocument(raw);
  } catch {
    // Checked before.
  }
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

export async function infraChange(runner: Runner): Promise<void> {
  const ctx = runContext(runner.env);
  const inputs = readInfraInputs(
    (name) => runner.input(name),
    (secret) => runner.setSecret(secret),
    ctx.workspace,
  );
  if (inputs.kubeconfig) maskKubeconfig(runner, inputs.kubeconfig);
  // The kubeconfig lives for this step alone, under RUNNER_TEMP (never the workspace, which later steps
  // and artifacts read), readable by the runner's user only.
  const dir = inputs.kubeconfig ? mkdtempSync(join(ctx.runnerTemp, 'deploy-gates-kube-')) : undefined;
  try {
    const extra: Record<string, string> = {};
    if (dir) {
      const file = join(dir, 'config');
      writeFileSync(file, inputs.kubeconfig, { mode: 0o600 });
      extra.KUBECONFIG = file;
    }
    const env = childEnvironment(runner.env, extra);
    const run = async (program: string, args: string[]) => {
      try {
        return await runProgram(program, args, { env, cwd: ctx.workspace });
      } catch (err) {
        throw new ReportedFailure(
          `${program} could not be started (${(err as Error).message}); install it in an earlier step (kubectl: apt-get install kubernetes-client).`,
        );
      }
    };
    if (inputs.mode === 'plan') await plan(runner, inputs, run, ctx.workspace);
    else await change(runner, inputs, inputs.mode, run, ctx);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

type Run = (
  program: string,
  args: string[],
) => Promise<{ exitCode: number | null; stdout: string; stderr: string }>;

async function plan(runner: Runner, inputs: InfraInputs, run: Run, workspace: string): Promise<void> {
  const sections: string[] = [];
  let changes = false;
  let planText = '';
  const own = inputs.commands.plan;
  if (own) {
    const r = await run(own[0] as string, own.slice(1));
    planText = r.stdout;
    if (r.exitCode !== 0)
      fail(runner, `the plan command (${own[0]}) failed (exit ${r.exitCode ?? 'signal'})`, r);
    changes = r.stdout.trim().length > 0;
    sections.push(`\`${own.join(' ')}\`:\n\n${block(r.stdout || '(no output)', '')}`);
  } else {
    const dry = await run(
      'kubectl',
      kubectlArgs(inputs, ['apply', '--dry-run=server', '--validate=false', ...fileArgs(inputs)]),
    );
    if (dry.exitCode !== 0)
      fail(runner, 'the server-side dry run (kubectl apply --dry-run=server) failed', dry);
    const diff = await run('kubectl', kubectlArgs(inputs, ['diff', ...fileArgs(inputs)]));
    // kubectl diff: 0 no differences, 1 differences, anything else an error.
    if (diff.exitCode !== 0 && diff.exitCode !== 1) fail(runner, 'kubectl diff failed', diff);
    changes = diff.exitCode === 1;
    planText = diff.stdout.replaceAll(/(^(?:---|\+\+\+|diff -u -N) .*$)/gm, (line) =>
      line.replace(/\/tmp\/[^\s]+/g, (p) => p.replace(/^\/tmp\/(LIVE|MERGED)-\d+/, '$1')),
    );
    runner.info(dry.stdout.trim());
    sections.push(
      `Server-side dry run (\`kubectl apply --dry-run=server\`), accepted:\n\n${block(dry.stdout.trim(), '')}`,
    );
    sections.push(
      changes
        ? `What would change (\`kubectl diff\`):\n\n${block(planText, 'diff')}`
        : 'No differences: the cluster already matches the manifests.',
    );
  }
  const shown =
    planText.length > PLAN_OUTPUT_MAX
      ? `${planText.slice(0, PLAN_OUTPUT_MAX)}\n… (cut at ${PLAN_OUTPUT_MAX} characters)`
      : planText;
  runner.setOutput('changes', changes);
  runner.setOutput('plan', shown);
  runner.setOutput('result', 'planned');
  runner.info(changes ? `Infrastructure plan: changes\n${shown}` : 'Infrastructure plan: no changes');
  const what =
    inputs.manifestNames.length > 0
      ? inputs.manifestNames.map((m) => `\`${relative(workspace, join(workspace, m)) || m}\``).join(', ')
      : 'the plan command';
  await runner.appendSummary(
    `## Infrastructure plan${changes ? '' : ': no changes'}\n\nFor ${what}${inputs.namespace ? ` in namespace \`${inputs.namespace}\`` : ''}; nothing was changed. Approving this deployment approves this change.\n\n${sections.join('\n\n')}\n`,
  );
}

function block(text: string, lang: string): string {
  const f = fence(text);
  return `${f}${lang}\n${text.trimEnd()}\n${f}`;
}

function fail(runner: Runner, what: string, r: { stdout: string; stderr: string }): never {
  const detail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join(' ');
  runner.info(r.stdout);
  runner.info(r.stderr);
  throw new Error(`${what}: ${detail || 'no message'}`);
}

async function change(
  runner: Runner,
  inputs: InfraInputs,
  mode: 'apply' | 'undo',
  run: Run,
  ctx: { runId: string; runAttempt: number },
): Promise<void> {
  const lines: string[] = [];
  let ran = 0;
  let skipped = 0;
  for (const step of steps(inputs, mode)) {
    const journal = inputs.journal;
    const entries = journal
      ? await withClient(journal, (c) => readInfraJournal(c, ctx.runId, mode, step.change))
      : [];
    const done = entries.find((e) => e.state === 'done');
    const started = entries.find((e) => e.state === 'started');
    if (done) {
      runner.info(`${step.label}: already done by attempt ${done.attempt} of this run; not run again.`);
      lines.push(`| \`${step.label}\` | already done (attempt ${done.attempt}) |`);
      skipped++;
      continue;
    }
    if (mode === 'undo' && started) {
      // An undo that may have happened: running it again would roll back the rollback.
      runner.warning(
        `${step.label}: attempt ${started.attempt} of this run started it and did not record its end; it is not run again (a second undo would undo the first). Check the workload's revision (kubectl rollout history) and undo by hand if needed.`,
      );
      lines.push(`| \`${step.label}\` | started by attempt ${started.attempt}, not repeated |`);
      skipped++;
      continue;
    }
    const record = (state: 'started' | 'done') =>
      journal
        ? withClient(journal, (c) =>
            writeInfraJournal(c, {
              runId: ctx.runId,
              attempt: ctx.runAttempt,
              mode,
              change: step.change,
              state,
            }),
          )
        : Promise.resolve();
    await record('started');
    runner.info(`$ ${step.label}`);
    const r = await run(step.program, step.args);
    if (r.stdout.trim()) runner.info(r.stdout.trim());
    if (r.exitCode !== 0) {
      lines.push(`| \`${step.label}\` | failed (exit ${r.exitCode ?? 'signal'}) |`);
      await summary(runner, mode, lines);
      fail(runner, `${step.label} failed (exit ${r.exitCode ?? 'signal'})`, r);
    }
    await record('done');
    lines.push(`| \`${step.label}\` | ${mode === 'apply' ? 'applied' : 'undone'} |`);
    ran++;
  }
  if (!inputs.journal) runner.info('database-url is empty: nothing was journaled, a re-run runs this again.');
  const result =
    ran === 0 && skipped > 0
      ? mode === 'apply'
        ? 'already-applied'
        : 'already-undone'
      : mode === 'apply'
        ? 'applied'
        : 'undone';
  runner.setOutput('result', result);
  await summary(runner, mode, lines);
}

async function summary(runner: Runner, mode: 'apply' | 'undo', lines: string[]): Promise<void> {
  await runner.appendSummary(
    `## Infrastructure ${mode === 'apply' ? 'apply' : 'undo'}\n\n| Change | Result |\n| --- | --- |\n${lines.join('\n')}\n`,
  );
}
