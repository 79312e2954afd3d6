import { resolve } from 'node:path';
import { readSignOff, type SignOff } from '../approval/sign-off.js';
import { InputError, ReportedFailure } from '../errors.js';
import { parseExistingPath } from '../runner/paths.js';
import { type Runner, runContext } from '../runner/runner.js';
import { checkWiring } from './check-wiring.js';
import { PLAYBOOK_WIRING } from './generated/playbook-wiring.js';
import { readPlanInputs } from './inputs.js';

/**
 * The playbook's plan job: every input and secret the jobs after the approval will use, checked as their
 * actions check them, and the files and tools they need, before anything is approved or changed. Every
 * problem is one `::error` naming the workflow input or secret to fix; nothing is written.
 */
export async function plan(runner: Runner): Promise<void> {
  const ctx = runContext(runner.env);
  const signOffAlone = runner.input('sign-off').trim();
  if (signOffAlone) {
    if (runner.input('workflow-inputs').trim() || runner.input('secrets-set').trim())
      throw new InputError(
        'sign-off',
        'is given with workflow-inputs: the playbook reads its sign-off file from its workflow input sign-off',
        'Give sign-off alone (a workflow with no playbook wiring, like rollback.yml), or drop it and set the workflow input sign-off.',
      );
    const path = parseExistingPath('sign-off', signOffAlone, ctx.workspace, 'file');
    await publishRoles(runner, await readSignOff(path, ctx.workspace), undefined);
    return;
  }
  const given = readPlanInputs((name) => runner.input(name), PLAYBOOK_WIRING);
  const { problems, steps } = await checkWiring(PLAYBOOK_WIRING, given, runner, ctx);
  for (const problem of problems) runner.error(problem.message, { title: problem.target });
  if (problems.length > 0)
    throw new ReportedFailure(
      `${problems.length} wiring problem(s): nothing was deployed or changed. Fix the workflow's inputs and secrets named above, then run it again.`,
    );
  const jobs = new Set(steps.map((s) => s.job));
  const line = `Wiring checked: the ${steps.length} action steps of ${[...jobs].join(', ')} accept what the workflow gives them, and the files and tools they need are there.`;
  // The file was read and checked with the wiring (approval-check's start): a bad one never gets here.
  const file = String(given.inputs['sign-off'] ?? '').trim();
  const signOff = file ? await readSignOff(resolve(ctx.workspace, file), ctx.workspace) : undefined;
  await publishRoles(runner, signOff, line);
}

/**
 * The sign-off job's matrix, output as sign-off-roles: one entry per role with its environment, `[]`
 * without a sign-off file (the job is then skipped by its `if:`, GitHub refusing an empty matrix).
 */
async function publishRoles(runner: Runner, signOff: SignOff | undefined, wiring: string | undefined) {
  const roles = (signOff?.roles ?? []).map((r) => ({ role: r.name, environment: r.environment }));
  runner.setOutput('sign-off-roles', JSON.stringify(roles));
  const signOffLine = signOff
    ? `Sign-off (${signOff.display}): ${roles.map((r) => `${r.role} through ${r.environment}`).join(', ')}; each role is asked at once.`
    : undefined;
  const lines = [wiring, signOffLine].filter((l): l is string => l !== undefined);
  for (const text of lines) runner.info(text);
  await runner.appendSummary(`## Plan\n\n${lines.join('\n\n')}\n`);
}
