import { postJson, WebhookError } from '../incident/notify.js';
import type { ChannelName } from './channels.js';
import type { ChannelTarget } from './inputs.js';

/** How one channel's delivery went. */
export interface Delivery {
  channel: ChannelName;
  label: string;
  state: 'sent' | 'failed' | 'not-for-phase';
  attempts: number;
  detail: string;
}

export interface SendOptions {
  attempts: number;
  log: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * POSTs one channel's payload with the incident webhook's retries (429 and 5xx again after the back-off or
 * the service's Retry-After, other 4xx not). A failure is returned, never thrown: a notification that did
 * not go out must not stop the deploy or the rollback it reports on.
 */
export async function deliver(
  channel: ChannelName,
  label: string,
  target: ChannelTarget,
  payload: unknown,
  o: SendOptions,
): Promise<Delivery> {
  try {
    const { status, attempts } = await postJson(target.url, payload, {
      attempts: o.attempts,
      headers: target.headers,
      log: (m) => o.log(`${label}: ${m}`),
      ...(o.sleep ? { sleep: o.sleep } : {}),
    });
    return { channel, label, state: 'sent', attempts, detail: `HTTP ${status}` };
  } catch (err) {
    // postJson's messages never hold the URL (webhook URLs carry their secret in the path).
    const detail = err instanceof WebhookError ? err.message : `could not be sent (${(err as Error).name})`;
    const attempts = Number(/after (\d+) attempts/.exec(detail)?.[1] ?? 1);
    return { channel, label, state: 'failed', attempts, detail };
  }
}
