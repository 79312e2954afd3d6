import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/webhook/receiver.js';

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const post = (body: string, path = '/hooks/rollback') =>
  fetch(receiver.url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('webhook receiver', () => {
  it('listens on loopback and records method, path, headers and the JSON body', async () => {
    expect(receiver.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await post(JSON.stringify({ text: 'rolled back' }), '/hooks/x?y=1');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/hooks/x?y=1',
      json: { text: 'rolled back' },
      status: 200,
    });
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('keeps a body that is not JSON as text', async () => {
    await post('not json');
    expect(receiver.requests[0]).toMatchObject({ body: 'not json', json: undefined });
  });

  it('fails the next N requests with the chosen status and Retry-After, then answers 200 again', async () => {
    receiver.failNext(2, { status: 502, retryAfter: 1 });
    const first = await post('{}');
    const second = await post('{}');
    const third = await post('{}');
    expect([first.status, second.status, third.status]).toEqual([502, 502, 200]);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(receiver.requests.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(receiver.delivered()).toHaveLength(1);
  });

  it('defaults to 503 and can be reset', async () => {
    receiver.failNext(1);
    expect((await post('{}')).status).toBe(503);
    receiver.failNext(3);
    receiver.reset();
    expect(receiver.requests).toHaveLength(0);
    expect((await post('{}')).status).toBe(200);
  });

  it('waits for requests without polling, and times out with a count', async () => {
    const waiting = receiver.waitForRequests(2);
    await post('{"n":1}');
    await post('{"n":2}');
    const got = await waiting;
    expect(got.map((r) => r.json)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await receiver.waitForRequests(1)).toHaveLength(2);
    await expect(receiver.waitForRequests(5, 50)).rejects.toThrow('2 of 5 requests after 50 ms');
  });
});
