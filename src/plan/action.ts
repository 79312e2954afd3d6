import { ReportedFailure } from '../errors.js';
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
  const given = readPlanInputs((name) => runner.input(name), PLAYBOOK_WIRING);
  const { problems, steps } = await checkWiring(PLAYBOOK_WIRING, given, runner, ctx);
  for (const problem of problems) runner.error(problem.message, { title: problem.target });
  if (problems.length > 0)
    throw new ReportedFailure(
      `${problems.length} wiring problem(s): nothing was deployed or changed. Fix the workflow's inputs and secrets named above, then run it again.`,
    );
  const jobs = new Set(steps.map((s) => s.job));
  const line = `Wiring checked: the ${steps.length} action steps of ${[...jobs].join(', ')} accept what the workflow gives them, and the files and tools they need are there.`;
  runner.info(line);
  await runner.appendSummary(`## Plan\n\n${line}\n`);
}
