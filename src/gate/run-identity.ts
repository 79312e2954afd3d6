import type { RunContext } from '../runner/runner.js';

/** The run an evidence file or report comes from, as an auditor finds it on GitHub. */
export function runIdentity(ctx: RunContext): Record<string, unknown> {
  return {
    repository: ctx.repository,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    workflow: ctx.workflow,
    job: ctx.job,
    step: ctx.action,
    sha: ctx.sha,
    ref: ctx.ref,
    actor: ctx.actor,
  };
}
