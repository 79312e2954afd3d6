import type { RunContext } from '../../runner/runner.js';

export interface ChangeFacts {
  sha: string;
  ref: string;
  actor: string;
  repository: string;
  runId: string;
  runAttempt: number;
  workflow: string;
  collectedAt: string;
}

export function collectChange(ctx: RunContext, now: Date): ChangeFacts {
  return {
    sha: ctx.sha,
    ref: ctx.ref,
    actor: ctx.actor,
    repository: ctx.repository,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    workflow: ctx.workflow,
    collectedAt: now.toISOString(),
  };
}
