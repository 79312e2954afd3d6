/**
 * A rehearsal of a caller whose playbook job is a matrix over projects (the README's deploy-all.yml): the
 * matrix expanded with the local runner's own code, and for each combination a sandbox release of its
 * project (its Vercel project, database, checkout, stand-in routes and backup manifest). The secrets the
 * caller names through the matrix (`secrets[matrix.database]`) each get the stand-in of their project, and
 * each call's inputs are pointed at its own project's site. A project named in `broken` ships a release
 * whose health check fails: its validate fails and only it rolls back.
 */
import { globSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { seedCiRun } from './ci-run.js';
import { infraWorkloads, type RehearsalInfra } from './infra-demo.js';
import { type PlaybookSandbox, REPOSITORY, SANDBOX_SHA, type SandboxRelease } from './playbook.js';
import { type YamlBlock, yamlBlocks } from './readme-blocks.js';
import {
  type RehearsalChange,
  type RehearsalCiRun,
  rewriteInputs,
  secretStandIns,
  standInProject,
} from './rehearse.js';
import { standInReports } from './sample-app.js';
import { type CheckoutAddition, teamCheckout } from './team-checkout.js';
import { type Contexts, interpolate } from './workflow/expressions.js';
import { type Combination, expandMatrix } from './workflow/matrix.js';
import {
  type JobRun,
  localActionPath,
  type WorkflowEvent,
  type WorkflowRun,
} from './workflow/run-workflow.js';
import { loadWorkflow, type Token, type WorkflowFile, type WorkflowJob } from './workflow/workflow-file.js';

const PLAYBOOK = './.github/workflows/playbook.yml';

export interface MatrixProject {
  /** The combination's `vercel-project`: the Vercel project and database the sandbox made for it. */
  project: string;
  combination: Combination;
  release: SandboxRelease;
  /** Shipped with a failing health check (`broken`). */
  healthy: boolean;
  /** Its call's inputs pointed at the sandbox, as given and as run. */
  changed: RehearsalChange[];
  /** Its run of the matrix (`playbook (<values>)`), with the called playbook's jobs. */
  run?: JobRun;
  /** A caller in a repository: the copy of it this project deployed, and what the sandbox added. */
  checkout?: { repository: string; added: CheckoutAddition[] };
  /** Its call's infrastructure step (infra-manifests): the namespace, each workload's state before the run. */
  infra?: RehearsalInfra;
}

export interface MatrixRehearsal {
  /** The matrix job's id in the caller. */
  job: string;
  run: WorkflowRun;
  projects: MatrixProject[];
  /** Every secret the caller reads, and what stood in for it (per project for the matrix-named ones). */
  secrets: { name: string; standIn: string }[];
  ciRun?: RehearsalCiRun;
}

export interface RehearseMatrixOptions {
  /** The caller workflow file. */
  caller: string;
  /** Projects (vercel-project values) whose release fails its health check. */
  broken?: string[];
  approve?: (job: string, environment: string) => Promise<boolean>;
  onEvent?: (e: WorkflowEvent) => void;
}

/** The README's "Many projects at once" block: the caller a platform copies into deploy-all.yml. */
export function readmeMatrixCaller(): YamlBlock {
  const block = yamlBlocks('README.md').find(
    (b) =>
      b.text.includes('uses: neonpro/deploy-gates/.github/workflows/playbook.yml@') &&
      /^\s+strategy:/m.test(b.text),
  );
  if (!block) throw new Error('README.md has no caller of the playbook workflow with a matrix');
  return block;
}

/** The caller's job that calls the playbook with a matrix, or undefined when it has none. */
export function matrixPlaybookJob(workflow: WorkflowFile): WorkflowJob | undefined {
  return workflow.jobs.find((j) => j.call && j.strategy && localActionPath(j.call.uses) === PLAYBOOK);
}

const evaluate = (value: Token, contexts: Contexts): unknown =>
  typeof value === 'string'
    ? interpolate(value, contexts, { failed: false, cancelled: false })
    : value && typeof value === 'object'
      ? interpolate(`\${{ ${value.expr} }}`, contexts, { failed: false, cancelled: false })
      : value;

/** The combinations of the job's matrix, as the runner expands them, each with its evaluated `with:`. */
export function matrixCalls(job: WorkflowJob): { combination: Combination; with: Record<string, unknown> }[] {
  if (!job.strategy || !job.call) return [];
  const contexts: Contexts = { github: {}, inputs: {}, vars: {}, secrets: {}, needs: {} };
  const expanded = expandMatrix(job.strategy, contexts, { failed: false, cancelled: false });
  if (expanded.error !== undefined) throw new Error(`the matrix of job ${job.id}: ${expanded.error}`);
  const call = job.call;
  return expanded.combinations.map((combination) => ({
    combination,
    with: Object.fromEntries(
      Object.entries(call.with).map(([k, v]) => [k, evaluate(v, { ...contexts, matrix: combination })]),
    ),
  }));
}

/**
 * The CI run of the deployed commit, green, with one reports artifact per project (reports-artifact as
 * each combination names it), the reports moved out of every project's checkout.
 */
async function seedMatrixCi(
  sandbox: PlaybookSandbox,
  calls: { with: Record<string, unknown>; release: SandboxRelease }[],
): Promise<RehearsalCiRun | undefined> {
  const literal = (given: Record<string, unknown>, key: string) =>
    typeof given[key] === 'string' ? (given[key] as string).trim() : '';
  const first = calls[0]?.with ?? {};
  const workflow = literal(first, 'reports-workflow').replace(/^\.github\/workflows\//, '');
  if (!workflow || !literal(first, 'reports-artifact')) return undefined;
  let runId: number | undefined;
  const artifacts: string[] = [];
  let files: string[] = [];
  for (const call of calls) {
    const artifact = literal(call.with, 'reports-artifact');
    const coverage = literal(call.with, 'coverage-file');
    const sarif = literal(call.with, 'sarif-files').split('\n');
    const found = [coverage, ...sarif]
      .map((p) => p.trim())
      .filter(Boolean)
      .flatMap((p) => globSync(p, { cwd: call.release.workspace }));
    // A team's checkout has no reports (its CI makes them): the sandbox's stand-ins, at the paths named.
    const contents =
      found.length > 0
        ? Object.fromEntries(found.map((f) => [f, readFileSync(join(call.release.workspace, f), 'utf8')]))
        : standInReports(coverage, sarif);
    for (const f of found) rmSync(join(call.release.workspace, f));
    // A folder left empty goes too: the checkout of a team that does not commit its reports has none.
    for (const dir of [...new Set(found.map((f) => dirname(f)))].filter((d) => d !== '.'))
      if (readdirSync(join(call.release.workspace, dir)).length === 0)
        rmdirSync(join(call.release.workspace, dir));
    files = Object.keys(contents).sort();
    // One run of CI uploads every project's artifact: the same run id, recorded once more each time.
    const seeded = await seedCiRun(sandbox.github, sandbox.artifacts, REPOSITORY, {
      workflow,
      sha: SANDBOX_SHA,
      conclusion: 'success',
      ...(runId ? { runId } : {}),
      artifact: { name: artifact, files: contents },
    });
    runId = seeded.runId;
    artifacts.push(artifact);
  }
  return { workflow, runId: runId ?? 0, artifact: artifacts.join(', '), files };
}

export async function rehearseMatrix(
  sandbox: PlaybookSandbox,
  opts: RehearseMatrixOptions,
): Promise<MatrixRehearsal> {
  const workflow = await loadWorkflow(opts.caller);
  const job = matrixPlaybookJob(workflow);
  if (!job?.call) throw new Error(`${opts.caller} has no job that calls the playbook with a strategy.matrix`);
  const calls = matrixCalls(job);
  // Each combination deploys a project of its own, named before anything starts.
  const names: string[] = [];
  for (const call of calls) {
    const project = call.with['vercel-project'];
    if (typeof project !== 'string' || !project)
      throw new Error(
        `${opts.caller}: a combination of the matrix (${JSON.stringify(call.combination)}) gives no vercel-project`,
      );
    if (names.includes(project))
      throw new Error(`${opts.caller}: two combinations of the matrix deploy the Vercel project ${project}`);
    names.push(project);
  }
  for (const b of opts.broken ?? [])
    if (!names.includes(b))
      throw new Error(`broken: ${b} is not a project of the matrix (${names.join(', ')})`);
  const projects: MatrixProject[] = [];
  for (const [i, project] of names.entries()) {
    const healthy = !(opts.broken ?? []).includes(project);
    // A caller in a repository: each project deploys a copy of it, as each job checks it out.
    const team = teamCheckout(opts.caller);
    const release = await sandbox.release({
      healthy,
      name: project,
      appDir: '.',
      ...(team ? { checkout: team.workspace } : {}),
    });
    const given = (calls[i] as (typeof calls)[number]).with;
    // The call's namespace (e.g. ${{ matrix.project }}) is the release's: the project's name.
    const infra: RehearsalInfra | undefined = given['infra-manifests']
      ? {
          namespace: release.namespace,
          workloads: infraWorkloads(sandbox.kubernetes, release.namespace, given['infra-rollout-undo']),
        }
      : undefined;
    projects.push({
      ...(infra ? { infra } : {}),
      ...(team ? { checkout: { repository: team.repository, added: team.added } } : {}),
      project,
      combination: (calls[i] as (typeof calls)[number]).combination,
      release,
      healthy,
      changed: [],
    });
  }
  const ciRun = await seedMatrixCi(
    sandbox,
    calls.map((c, i) => ({ with: c.with, release: (projects[i] as MatrixProject).release })),
  );
  const rewrites = new Map(
    projects.map((p) => [p.project, standInProject(sandbox, p.release, opts.caller).rewrites]),
  );
  const byProject = (inputs: Record<string, unknown>) => {
    const name = String(inputs['vercel-project'] ?? '');
    const p = projects.find((q) => q.project === name);
    if (!p) throw new Error(`a call of the playbook deploys ${name}, which is no project of the matrix`);
    return p;
  };
  const rewrite = (_job: string, inputs: Record<string, unknown>) => {
    const p = byProject(inputs);
    const { out, changes } = rewriteInputs(inputs, rewrites.get(p.project) ?? {});
    p.changed = changes;
    return out;
  };

  // The secrets: `secrets.NAME` as the single-caller rehearsal gives them (the first project's stand-in
  // where they differ), and each name a combination gives `secrets[matrix.key]` its own project's.
  const secrets: Record<string, string> = {};
  const described = new Map<string, string>();
  const perCall = job.call.secrets === 'inherit' ? {} : job.call.secrets;
  const first = projects[0] as MatrixProject;
  const named = [
    ...new Set(
      [...readFileSync(opts.caller, 'utf8').matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(
        (m) => m[1] ?? '',
      ),
    ),
  ];
  const firstStandIns = secretStandIns(first.release, sandbox);
  for (const n of named) {
    const s = firstStandIns[n];
    if (s) secrets[n] = s[0];
    described.set(n, s ? s[1] : 'not set in the rehearsal');
  }
  for (const [key, value] of Object.entries(perCall)) {
    const m = /^\$\{\{\s*secrets\[\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)\s*\]\s*\}\}$/.exec(
      String(value).trim(),
    );
    if (!m?.[1]) continue;
    for (const p of projects) {
      const name = p.combination[m[1]];
      const standIn = secretStandIns(p.release, sandbox)[key];
      if (typeof name !== 'string' || !standIn) continue;
      secrets[name] = standIn[0];
      described.set(name, `${standIn[1]} of ${p.project}${name === key ? '' : ` (as ${key})`}`);
    }
  }

  const run = await first.release.run({
    caller: {
      workflow,
      secrets,
      rewrite,
      // Every call runs in its own project's checkout, as every job on GitHub has a runner of its own.
      workspace: (_job, inputs) => byProject(inputs).release.workspace,
    },
    ...(opts.approve ? { approve: opts.approve } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  for (const r of run.jobs[job.id]?.matrix ?? []) {
    const p = projects.find((q) => JSON.stringify(q.combination) === JSON.stringify(r.combination));
    if (p) p.run = r;
  }
  return {
    job: job.id,
    run,
    projects,
    secrets: [...described].map(([name, standIn]) => ({ name, standIn })),
    ...(ciRun ? { ciRun } : {}),
  };
}

/** What production of a project serves after the run: the new release, or the previous one and why. */
export function servedRelease(
  sandbox: PlaybookSandbox,
  p: MatrixProject,
): { deploymentId: string; what: 'new' | 'rolled back' | 'previous' } {
  const deploymentId = sandbox.vercel.productionDeploymentId(p.project) ?? '';
  const rolledBack = p.run?.called?.jobs.rollback?.result === 'success';
  return {
    deploymentId,
    what: deploymentId !== p.release.previousDeploymentId ? 'new' : rolledBack ? 'rolled back' : 'previous',
  };
}
