import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import {
  startSlackReceiver,
  startStatuspageReceiver,
  startTeamsReceiver,
} from '../../sandbox/webhook/services.js';

// The receivers stand in for Slack, Teams and Statuspage only if they refuse what those services refuse:
// each refusal here is one the real service documents.
const PAGE = { pageId: 'page42', apiKey: 'key-42' };
let slack: WebhookReceiver;
let teams: WebhookReceiver;
let statuspage: WebhookReceiver;
beforeAll(async () => {
  [slack, teams, statuspage] = await Promise.all([
    startSlackReceiver(),
    startTeamsReceiver(),
    startStatuspageReceiver(PAGE),
  ]);
});
afterAll(() => Promise.all([slack, teams, statuspage].map((r) => r?.close())));

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text } });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const card = (content: object) => ({
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
});

describe('the Slack receiver', () => {
  it.each([
    ['text alone', { text: 'hi' }, 200, 'ok'],
    ['blocks', { blocks: [header('Deploy'), section('*ok*')] }, 200, 'ok'],
    ['neither text nor blocks', {}, 400, 'no_text'],
    ['a header over 150 characters', { text: 'x', blocks: [header('h'.repeat(151))] }, 400, 'invalid_blocks'],
    [
      'a section over 3000 characters',
      { text: 'x', blocks: [section('s'.repeat(3001))] },
      400,
      'invalid_blocks',
    ],
    [
      '51 blocks',
      { text: 'x', blocks: Array.from({ length: 51 }, () => section('s')) },
      400,
      'invalid_blocks',
    ],
    [
      'a header in mrkdwn',
      { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] },
      400,
      'invalid_blocks',
    ],
  ])('%s', async (_, body, status, answer) => {
    expect(await post(slack.url('/services/x'), body)).toEqual({ status, text: answer });
  });
});

describe('the Teams receiver', () => {
  const good = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'hi' }] };
  it.each([
    ['an Adaptive Card in the message envelope', card(good), 202],
    ['a bare card', good, 400],
    [
      'another content type',
      { type: 'message', attachments: [{ contentType: 'text/plain', content: good }] },
      400,
    ],
    ['a card without a version', card({ ...good, version: undefined }), 400],
    ['a card whose body is not a list', card({ ...good, body: 'hi' }), 400],
  ])('%s', async (_, body, status) => {
    expect((await post(teams.url('/workflows/x'), body)).status).toBe(status);
  });
});

describe('the Statuspage receiver', () => {
  const path = `/v1/pages/${PAGE.pageId}/incidents`;
  const auth = { authorization: `OAuth ${PAGE.apiKey}` };
  const maintenance = {
    name: 'Deploy',
    status: 'scheduled',
    scheduled_for: '2026-03-11T05:00:00Z',
    scheduled_until: '2026-03-11T09:00:00Z',
  };
  it('creates an incident: 201 with it', async () => {
    const res = await post(statuspage.url(path), { incident: maintenance }, auth);
    expect(res.status).toBe(201);
    expect(JSON.parse(res.text)).toMatchObject({ page_id: PAGE.pageId, status: 'scheduled' });
  });
  it.each([
    ['no OAuth key', path, { incident: maintenance }, {}, 401],
    ['a Bearer token', path, { incident: maintenance }, { authorization: `Bearer ${PAGE.apiKey}` }, 401],
    ['another page', '/v1/pages/other/incidents', { incident: maintenance }, auth, 404],
    ['a status that does not exist', path, { incident: { ...maintenance, status: 'done' } }, auth, 422],
    ['a maintenance without its window', path, { incident: { name: 'x', status: 'scheduled' } }, auth, 422],
    [
      'a window that ends before it starts',
      path,
      { incident: { ...maintenance, scheduled_until: '2026-03-11T04:00:00Z' } },
      auth,
      422,
    ],
    ['no name', path, { incident: { status: 'investigating' } }, auth, 422],
    ['a field Statuspage does not have', path, { incident: { ...maintenance, severity: 'high' } }, auth, 422],
  ])('%s', async (_, at, body, headers, status) => {
    expect((await post(statuspage.url(at), body, headers)).status).toBe(status);
  });
  it('answers 429 with Retry-After on demand, then takes the request again', async () => {
    statuspage.failNext(1, { status: 429, retryAfter: 3 });
    const res = await fetch(statuspage.url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ incident: maintenance }),
    });
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await post(statuspage.url(path), { incident: maintenance }, auth)).status).toBe(201);
  });
});
