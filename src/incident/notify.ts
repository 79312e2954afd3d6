import { sha256 } from '../util/hash.js';
import { RetryExhaustedError, type RetryVerdict, retryAfterMs, withRetry } from '../util/retry.js';
import type { IncidentOutcome } from './body.js';

/**
 * The stakeholder notification: a Slack-compatible JSON body (`text` for notifications and clients
 * without blocks, `blocks` for the message itself), posted with retries to any JSON webhook.
 */
export interface NotificationInput {
  repository: string;
  runId: string;
  attempt: number;
  runUrl: string;
  outcome: IncidentOutcome;
  reason: string;
  /** Label and value pairs shown as fields (at most 10 are shown, as Slack allows). */
  facts: [string, string][];
  steps: { title: string; status: string; detail: string }[];
  incidentUrl?: string;
}

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

const OUTCOME_TEXT: Record<IncidentOutcome, string> = {
  'rolled-back': 'Rolled back',
  incomplete: 'Rollback incomplete',
  'in-progress': 'Rollback in progress',
};
const ICONS: Record<string, string> = {
  done: ':white_check_mark:',
  skipped: ':fast_forward:',
  failed: ':x:',
};

/** Cuts a text to `max` characters, marking the cut: Slack refuses a block over its limit. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Slack mrkdwn treats &, < and > specially; everything else is shown as typed. */
export function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMessage(n: NotificationInput): SlackMessage {
  const headline = `${OUTCOME_TEXT[n.outcome]}: ${n.repository} (run ${n.runId}, attempt ${n.attempt})`;
  const text = n.reason ? `${headline}. Reason: ${n.reason}` : headline;
  const links = [`<${n.runUrl}|Workflow run>`];
  if (n.incidentUrl) links.push(`<${n.incidentUrl}|Incident and post-mortem checklist>`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, 150), emoji: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Reason:* ${mrkdwn(n.reason || 'not given')}`, 3000) },
    },
  ];
  const fields = n.facts.slice(0, 10).map(([label, value]) => ({
    type: 'mrkdwn',
    text: clip(`*${mrkdwn(label)}*\n${mrkdwn(value)}`, 2000),
  }));
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  const steps = n.steps
    .map((s) => `${ICONS[s.status] ?? ''} *${mrkdwn(s.title)}* ${s.status}: ${mrkdwn(clip(s.detail, 300))}`)
    .join('\n');
  if (steps) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(steps, 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] });
  return { text: clip(text, 3000), blocks };
}

/** What the message says, without when: the same news is not sent twice by a re-run. */
export function notificationDigest(n: NotificationInput): string {
  return sha256(
    JSON.stringify([
      n.outcome,
      n.reason,
      n.facts,
      n.steps.map((s) => [s.title, s.status]),
      n.incidentUrl ?? '',
    ]),
  ).slice(0, 16);
}

export interface PostOptions {
  /** Attempts in all, the first included; default 4. */
  attempts?: number;
  /** First back-off delay; doubled after each failure. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest back-off between attempts; default 10 s. */
  maxDelayMs?: number;
  /**
   * Longest Retry-After honoured; default 60 s. A webhook asking for longer is not retried: waiting less
   * than it asked only earns another 429, and a rollback does not wait minutes on a chat message.
   */
  maxRetryAfterMs?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
  /** Where each retry is said (never with the URL); default: nowhere. */
  log?: (message: string) => void;
}

export interface PostResult {
  status: number;
  attempts: number;
}

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/** A 429 or 5xx: the webhook may take the notification later. */
class WebhookBusy extends Error {
  override readonly name = 'WebhookBusy';
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * POSTs JSON; retries network errors, timeouts, 429 and 5xx with exponential back-off, or after the
 * Retry-After the webhook asks for (up to its cap). Other 4xx are not retried: the URL or the payload is wrong, and trying again
 * would not help. The URL is never put in an error message (webhook URLs carry their secret in the path).
 */
export async function postJson(url: string, body: unknown, options: PostOptions = {}): Promise<PostResult> {
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const post = async (signal: AbortSignal, attempt: number): Promise<PostResult> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal,
    });
    // The body is drained so the connection can be reused or closed.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { status: res.status, attempts: attempt };
    if (res.status !== 429 && res.status < 500) {
      throw new WebhookError(`the webhook refused the notification with HTTP ${res.status}; not retried`);
    }
    const retryAfter = res.headers.get('retry-after');
    const after = retryAfterMs(retryAfter);
    if (after !== undefined && after > maxRetryAfterMs) {
      throw new WebhookError(
        `the webhook answered HTTP ${res.status} and asks to wait ${Math.ceil(after / 1000)} s (Retry-After), more than the ${maxRetryAfterMs / 1000} s a notification waits; not retried`,
      );
    }
    throw new WebhookBusy(res.status, retryAfter);
  };
  return withRetry(post, {
    what: 'Webhook',
    attempts: options.attempts ?? 4,
    attemptTimeoutMs: options.timeoutMs ?? 10_000,
    initialDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs,
    // One notification per rollback: there is no crowd of clients to spread out.
    jitter: () => 0,
    log: options.log ?? (() => undefined),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    classify: (err): RetryVerdict => {
      if (err instanceof WebhookError) return { retry: false };
      if (err instanceof WebhookBusy) {
        const after = retryAfterMs(err.retryAfter);
        return {
          retry: true,
          reason: err.message,
          ...(after === undefined ? {} : { afterMs: after }),
        };
      }
      return {
        retry: true,
        reason: (err as Error).name === 'TimeoutError' ? 'timed out' : 'could not connect',
      };
    },
  }).catch((err: unknown) => {
    if (!(err instanceof RetryExhaustedError)) throw err;
    throw new WebhookError(
      `the webhook did not accept the notification after ${err.attempts} attempts (last: ${err.reason})`,
    );
  });
}
