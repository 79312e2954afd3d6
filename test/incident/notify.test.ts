import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import {
  type NotificationInput,
  notificationDigest,
  postJson,
  slackMessage,
  WebhookError,
} from '../../src/incident/notify.js';

const input: NotificationInput = {
  repository: 'neonpro/healthcare-platform',
  runId: '42',
  attempt: 2,
  runUrl: 'https://github.com/neonpro/healthcare-platform/actions/runs/42/attempts/2',
  outcome: 'rolled-back',
  reason: 'error rate > 5% <script>',
  facts: [
    ['Production', 'dpl_old'],
    ['Safety backup', 'safety-42-2'],
  ],
  steps: [
    { title: 'App', status: 'done', detail: 'promoted dpl_old' },
    { title: 'Database', status: 'skipped', detail: 'no migrations were applied' },
  ],
  incidentUrl: 'https://github.com/neonpro/healthcare-platform/issues/7',
};

let receiver: WebhookReceiver;
const waits: number[] = [];
const sleep = async (ms: number) => {
  waits.push(ms);
};
beforeEach(async () => {
  receiver = await startWebhookReceiver();
  waits.length = 0;
});
afterEach(async () => {
  await receiver.close();
});

describe('slackMessage', () => {
  it('has text for notifications and blocks for the message, with run, attempt, steps and links', () => {
    const msg = slackMessage(input);
    expect(msg.text).toBe(
      'Rolled back: neonpro/healthcare-platform (run 42, attempt 2). Reason: error rate > 5% <script>',
    );
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: 'Rolled back: neonpro/healthcare-platform (run 42, attempt 2)',
        emoji: true,
      },
    });
    const json = JSON.stringify(msg.blocks);
    expect(json).toContain('*Reason:* error rate &gt; 5% &lt;script&gt;');
    expect(json).toContain('*Safety backup*\\nsafety-42-2');
    expect(json).toContain(':white_check_mark: *App* done: promoted dpl_old');
    expect(json).toContain(':fast_forward: *Database* skipped');
    expect(json).toContain(`<${input.runUrl}|Workflow run>`);
    expect(json).toContain(`<${input.incidentUrl}|Incident and post-mortem checklist>`);
  });

  it('keeps header text within Slack limits', () => {
    const msg = slackMessage({ ...input, repository: 'r'.repeat(400) });
    const header = msg.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBe(150);
  });

  it('digests what was said, not the attempt', () => {
    expect(notificationDigest({ ...input, attempt: 3, runUrl: 'x' })).toBe(notificationDigest(input));
    expect(notificationDigest({ ...input, outcome: 'incomplete' })).not.toBe(notificationDigest(input));
  });
});

describe('postJson', () => {
  it('posts the JSON body with the given headers', async () => {
    const result = await postJson(receiver.url(), slackMessage(input), {
      headers: { 'x-run': '42-2' },
      sleep,
    });
    expect(result).toEqual({ status: 200, attempts: 1 });
    const [req] = receiver.requests;
    expect(req?.json).toEqual(slackMessage(input));
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-run']).toBe('42-2');
  });

  it('retries 5xx and 429 with back-off, honouring Retry-After', async () => {
    receiver.failNext(1, { status: 500 });
    receiver.failNext(1, { status: 429, retryAfter: 3 });
    const result = await postJson(receiver.url(), { text: 'x' }, { sleep, baseDelayMs: 100 });
    expect(result).toEqual({ status: 200, attempts: 3 });
    expect(waits).toEqual([100, 3000]);
    expect(receiver.delivered()).toHaveLength(1);
  });

  it('says each retry in the log, without the URL', async () => {
    receiver.failNext(1, { status: 502 });
    receiver.failNext(1, { status: 429, retryAfter: 60 });
    const log: string[] = [];
    const url = receiver.url('/services/T000/B000/SECRETPART');
    await postJson(url, { text: 'x' }, { sleep, baseDelayMs: 100, log: (m) => log.push(m) });
    // Retry-After is honoured in full up to its cap (60 s), beyond the back-off's own cap (10 s).
    expect(waits).toEqual([100, 60_000]);
    expect(log).toEqual(['Webhook: HTTP 502; retry 1/3 in 0.1 s', 'Webhook: HTTP 429; retry 2/3 in 60.0 s']);
  });

  it('does not retry sooner than a Retry-After beyond the cap asks: it says so and stops', async () => {
    receiver.failNext(1, { status: 429, retryAfter: 120 });
    const url = receiver.url('/services/T000/B000/SECRETPART');
    const err = await postJson(url, { text: 'x' }, { sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as Error).message).toBe(
      'the webhook answered HTTP 429 and asks to wait 120 s (Retry-After), more than the 60 s a notification waits; not retried',
    );
    expect(receiver.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('gives up after the attempts, without the URL in the message', async () => {
    receiver.failNext(4, { status: 503 });
    const url = receiver.url('/services/T000/B000/SECRETPART');
    await expect(postJson(url, { text: 'x' }, { sleep })).rejects.toThrow(
      'the webhook did not accept the notification after 4 attempts (last: HTTP 503)',
    );
    expect(receiver.requests).toHaveLength(4);
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it('does not retry a 4xx other than 429', async () => {
    receiver.failNext(1, { status: 404 });
    const err = await postJson(receiver.url(), {}, { sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as Error).message).toBe('the webhook refused the notification with HTTP 404; not retried');
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries when nothing listens', async () => {
    const url = receiver.url();
    await receiver.close();
    await expect(postJson(url, {}, { sleep, attempts: 2 })).rejects.toThrow('last: could not connect');
    receiver = await startWebhookReceiver();
  });
});
