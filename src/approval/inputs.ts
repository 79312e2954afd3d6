import { join } from 'node:path';
import {
  assertTimezone,
  DEFAULT_TIMEZONE,
  DEFAULT_WINDOW,
  parseWindow,
} from '../compliance/change-window.js';
import { InputError } from '../errors.js';
import { APPROVAL_CHECK_INPUTS } from '../inputs/approval-check.js';
import { type InputReader, parseDuration, parseList, parseName, parseSecretToken } from '../runner/inputs.js';
import { parseExistingPath, parseOutputPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import type { ApprovalLimits } from './judge.js';

export interface ApprovalInputs extends ApprovalLimits {
  token: string;
  job: string;
  /** The jobs that change something: the first one GitHub started opens max-duration. */
  changingJobs: string[];
  evidenceFile: string;
  /** The sign-off file: roles that must each be signed by a distinct person. */
  signOffFile: string | undefined;
}

/** How a job gives the check a token that reads its run's approvals. */
export const TOKEN_FIX =
  "Set github-token to the job's github.token and give the job `permissions: actions: read`.";

/** Every input, checked before GitHub is asked anything. */
export function readApprovalInputs(input: InputReader, ctx: RunContext): ApprovalInputs {
  const rawToken = input('github-token');
  if (!rawToken) {
    throw new InputError('github-token', 'is required: the approval is read from GitHub', TOKEN_FIX);
  }
  const evidence = input('evidence-file');
  const signOff = input('sign-off');
  return {
    signOffFile: signOff ? parseExistingPath('sign-off', signOff, ctx.workspace, 'file') : undefined,
    token: parseSecretToken('github-token', rawToken),
    environment:
      parseName('environment', input('environment') || 'production', 'a GitHub environment name', {
        spaces: true,
      }) || 'production',
    job:
      parseName('approval-job', input('approval-job') || 'approve', 'a job id', { spaces: true }) ||
      'approve',
    window: parseWindow('change-window', input('change-window') || DEFAULT_WINDOW),
    timezone: assertTimezone('timezone', input('timezone') || DEFAULT_TIMEZONE),
    // GitHub lets an approval wait 30 days; past the window's 4 hours it is stale anyway.
    maxAgeMs: parseDuration(
      'max-approval-age',
      input('max-approval-age') || '4h',
      0,
      APPROVAL_CHECK_INPUTS['max-approval-age'],
    ),
    maxDurationMs: parseDuration(
      'max-duration',
      input('max-duration') || '4h',
      0,
      APPROVAL_CHECK_INPUTS['max-duration'],
    ),
    changingJobs: parseList(input('changing-jobs') || 'db\ndeploy').map((job) =>
      parseName('changing-jobs', job, 'a job id', { spaces: true }),
    ),
    evidenceFile: evidence
      ? parseOutputPath('evidence-file', evidence, ctx)
      : join(ctx.runnerTemp, 'deploy-gates', `approval-evidence-${ctx.action}.json`),
  };
}
