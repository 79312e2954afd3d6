import type { WorkflowRun } from '../../sandbox/workflow/run-workflow.js';

/** Each job's result by id: what a test of a local workflow run asserts first. */
export const results = (run: WorkflowRun | undefined) =>
  Object.fromEntries(Object.values(run?.jobs ?? {}).map((j) => [j.id, j.result]));

/** Each job's result with its steps' errors, as the message of a failed assertion on `results`. */
export const why = (run: WorkflowRun | undefined) =>
  JSON.stringify(
    Object.values(run?.jobs ?? {}).map((j) => [j.id, j.result, j.steps.flatMap((s) => s.errors)]),
  );
