import { InputError } from '../errors.js';
import { atLeast } from './severity.js';
import type { ApproverCheck, Policy, Rule, Severity, Waiver, WaiverLimits } from './types.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_MAX_DAYS = 90;
/** A tracker key (OPS-123), an issue (#12 or owner/repo#12) or an https link: something an auditor can open. */
export const DEFAULT_TICKET_PATTERN = String.raw`[A-Z][A-Z0-9_]*-[0-9]+|(?:[\w.-]+/[\w.-]+)?#[0-9]+|https://\S+`;
export const DEFAULT_APPROVAL_AT: Severity = 'critical';

export interface ResolvedLimits {
  maxDays: number;
  ticketPattern: string;
  ticket: RegExp;
  approvalRequiredAt: Severity;
}

/** Compiled once per pattern: every waiver of every gate is audited against its policy's. */
const ticketRegExps = new Map<string, RegExp>();

/** The pattern must match the whole ticket: "OPS-1" must not pass as part of "see OPS-1 maybe". */
function ticketRegExp(pattern: string): RegExp {
  let re = ticketRegExps.get(pattern);
  if (!re) {
    // Neither global nor sticky: `test` keeps no state, so one instance serves every waiver.
    re = new RegExp(`^(?:${pattern})$`, 'u');
    ticketRegExps.set(pattern, re);
  }
  return re;
}

export function resolveLimits(limits: WaiverLimits | undefined): ResolvedLimits {
  const ticketPattern = limits?.ticketPattern ?? DEFAULT_TICKET_PATTERN;
  return {
    maxDays: limits?.maxDays ?? DEFAULT_MAX_DAYS,
    ticketPattern,
    ticket: ticketRegExp(ticketPattern),
    approvalRequiredAt: limits?.approvalRequiredAt ?? DEFAULT_APPROVAL_AT,
  };
}

/** A ticket pattern that does not compile is a policy error, raised when the policy is loaded. */
export function checkWaiverLimits(policy: Policy, source: string, input: string): void {
  const pattern = policy.waivers?.ticketPattern;
  if (pattern === undefined) return;
  try {
    ticketRegExp(pattern);
  } catch (err) {
    throw new InputError(
      input,
      `${source}: waivers.ticketPattern ${JSON.stringify(pattern)} is not a valid regular expression (${(err as Error).message})`,
      'Write a JavaScript regular expression the whole ticket must match, e.g. "OPS-[0-9]+".',
    );
  }
}

/** Whether the rule needs an approver of the approvers file. */
export function needsApproval(rule: Rule, policy: Policy): boolean {
  return atLeast(rule.severity, policy.waivers?.approvalRequiredAt ?? DEFAULT_APPROVAL_AT);
}

export interface WaiverAudit {
  lifetimeDays: number;
  approverCheck: ApproverCheck;
  problems: string[];
}

const NOT_REQUIRED: ApproverCheck = {
  required: false,
  ok: true,
  detail: 'not required below the policy limit',
};

/**
 * A waiver against the limits of the policy that holds its rule: lifetime, ticket and approver. Each
 * broken limit is one problem; a waiver with any problem waives nothing.
 */
export function auditWaiver(
  waiver: Waiver,
  owner: { rule: Rule; policy: Policy } | undefined,
  approval: ApproverCheck | undefined,
  now: Date,
  /** `Date.parse(waiver.expiresAt)`, when the caller has it already. */
  expires = Date.parse(waiver.expiresAt),
): WaiverAudit {
  const created = waiver.createdAt === undefined ? now.getTime() : Date.parse(waiver.createdAt);
  const lifetimeMs = expires - created;
  const lifetimeDays = Math.ceil(lifetimeMs / DAY_MS);
  if (!owner) return { lifetimeDays, approverCheck: NOT_REQUIRED, problems: [] };
  const { rule, policy } = owner;
  const limits = resolveLimits(policy.waivers);
  const problems: string[] = [];
  if (waiver.createdAt !== undefined && created > now.getTime()) {
    problems.push(`createdAt ${waiver.createdAt} is in the future`);
  }
  if (lifetimeMs > limits.maxDays * DAY_MS) {
    const from = waiver.createdAt === undefined ? 'from today' : `from ${waiver.createdAt}`;
    problems.push(
      `it lasts ${lifetimeDays} days (${from} to ${waiver.expiresAt}), more than the ${limits.maxDays} days policy ${policy.id} allows`,
    );
  }
  if (!limits.ticket.test(waiver.ticket)) {
    problems.push(
      `ticket ${JSON.stringify(waiver.ticket)} does not match the ticket pattern of policy ${policy.id} (${limits.ticketPattern})`,
    );
  }
  let approverCheck = NOT_REQUIRED;
  if (atLeast(rule.severity, limits.approvalRequiredAt)) {
    // Without a check (policy tests and the CLI judge rules, not people) the approver is reported unchecked.
    approverCheck = approval ?? {
      required: true,
      ok: true,
      unchecked: true,
      detail: 'not checked here: the actions check approvers',
    };
    if (!approverCheck.ok) {
      problems.push(
        `approver ${JSON.stringify(waiver.approver)} may not waive a ${rule.severity} rule: ${approverCheck.detail}`,
      );
    }
  }
  return { lifetimeDays, approverCheck, problems };
}
