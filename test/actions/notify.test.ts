import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, leakedSecrets, runBundle } from '../../sandbox/runner/run-bundle.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import {
  startSlackReceiver,
  startStatuspageReceiver,
  startTeamsReceiver,
} from '../../sandbox/webhook/services.js';

// notify, from its committed bundle, against receivers that answer as Slack, Teams and Statuspage do
// (a payload the real service would refuse is refused) and a generic JSON webhook.
const ACTION = 'actions/notify/dist/index.js';
const PAGE = { pageId: 'kctbh9vrtdwd', apiKey: 'statuspage-key-2b7e41' };
const ALL = 'channels:\n  slack: {}\n  teams: {}\n  webhook: {}\n  statuspage: {}\n';
let slack: WebhookReceiver;
let teams: WebhookReceiver;
let hook: WebhookReceiver;
let statuspage: WebhookReceiver;
const runs: ActionRun[] = [];
const workspaces: string[] = [];

beforeAll(async () => {
  [slack, teams, hook, statuspage] = await Promise.all([
    startSlackReceiver(),
    startTeamsReceiver(),
    startWebhookReceiver(),
    startStatuspageReceiver(PAGE),
  ]);
});
afterAll(() => Promise.all([slack, teams, hook, statuspage].map((r) => r?.close())));
afterEach(async () => {
  for (const r of [slack, teams, hook, statuspage]) r.reset();
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
  for (const w of workspaces.splice(0)) rmSync(w, { recursive: true, force: true });
});

const secrets = () => ({
  'slack-webhook': slack.url('/services/T000/B000/slack-secret-path-91c3'),
  'teams-webhook': teams.url('/workflows/teams-secret-path-4d0a'),
  'webhook-url': hook.url('/gateway/json-secret-path-77e2'),
  'statuspage-api-key': PAGE.apiKey,
  'statuspage-page-id': PAGE.pageId,
  'statuspage-api-url': statuspage.origin,
});

async function notify(inputs: Record<string, string>, files: Record<string, string> = { 'notify.yml': ALL }) {
  const workspace = mkdtempSync(join(tmpdir(), 'dg-notify-'));
  workspaces.push(workspace);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, file)), { recursive: true });
    writeFileSync(join(workspace, file), text);
  }
  const run = await runBundle({
    action: ACTION,
    workspace,
    inputs: { channels: 'notify.yml', project: 'neonpro-web', ...secrets(), ...inputs },
    stepId: 'notify',
    timeoutMs: 60_000,
  });
  runs.push(run);
  return run;
}

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
/** The body a receiver got in its n-th request, parsed. */
const body = <T>(r: WebhookReceiver, n = 0) => r.requests[n]?.json as T;
const incident = (r: WebhookReceiver) => body<{ incident: Record<string, unknown> }>(r).incident;
const warnings = (run: ActionRun) =>
  run.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

/** A port nothing listens on: a channel that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('notify', { timeout: 60_000 }, () => {
  it('the outcome reaches every channel in a payload its service accepts, with the stage results and the evidence link', async () => {
    const run = await notify({
      phase: 'outcome',
      result: 'success',
      'stage-results': 'db=success\ndeploy=success\nvalidate=success',
      'evidence-url': 'https://github.com/neonpro/healthcare-platform/actions/runs/7/artifacts/1',
    });
    expect(errors(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    for (const r of [slack, teams, hook, statuspage])
      expect(r.requests.map((q) => q.status)).toEqual([r === teams ? 202 : r === statuspage ? 201 : 200]);
    const s = slack.requests[0]?.json as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    expect(s.text).toBe('Deploy of neonpro-web to production succeeded');
    expect(s.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: s.text, emoji: true } });
    expect(JSON.stringify(s.blocks)).toContain('db: success\\ndeploy: success\\nvalidate: success');
    expect(JSON.stringify(s.blocks)).toContain('|Evidence>');
    const card = body<{ attachments: { content: { body: { text?: string }[] } }[] }>(teams).attachments[0]
      ?.content;
    expect(card?.body[0]?.text).toBe('Deploy of neonpro-web to production succeeded');
    expect(hook.requests[0]?.json).toMatchObject({
      event: 'deploy-gates.outcome',
      result: 'success',
      evidenceUrl: 'https://github.com/neonpro/healthcare-platform/actions/runs/7/artifacts/1',
    });
    expect(statuspage.requests[0]?.path).toBe(`/v1/pages/${PAGE.pageId}/incidents`);
    expect(statuspage.requests[0]?.headers.authorization).toBe(`OAuth ${PAGE.apiKey}`);
    expect(incident(statuspage)).toMatchObject({
      name: 'Deploy of neonpro-web to production succeeded',
      status: 'completed',
    });
    expect(run.outputs).toMatchObject({
      'sent-channels': 'slack,teams,webhook,statuspage',
      'failed-channels': '',
    });
    expect(run.summary).toContain('| Slack | ✅ sent | 1 | HTTP 200 |');
    expect(
      leakedSecrets(
        run,
        Object.values(secrets()).filter((v) => !v.startsWith(statuspage.origin)),
      ),
    ).toEqual([]);
  });

  it('the 24 h notice is a scheduled maintenance on Statuspage, with its window', async () => {
    const run = await notify({
      phase: 'notice',
      'scheduled-for': '2026-03-11T05:00:00Z',
      'maintenance-duration': '2h',
      message: 'No downtime is expected for clinics.',
    });
    expect(errors(run)).toEqual([]);
    const scheduled = incident(statuspage);
    expect(scheduled).toMatchObject({
      status: 'scheduled',
      impact_override: 'maintenance',
      scheduled_for: '2026-03-11T05:00:00.000Z',
      scheduled_until: '2026-03-11T07:00:00.000Z',
      scheduled_auto_completed: true,
    });
    expect(scheduled.body).toContain('No downtime is expected for clinics.');
  });

  it('a phase a channel does not take is not sent to it (Statuspage gets no "started")', async () => {
    const run = await notify({ phase: 'started' });
    expect(run.exitCode).toBe(0);
    expect(statuspage.requests).toEqual([]);
    expect(slack.delivered()).toHaveLength(1);
    expect(run.summary).toContain('| Statuspage | ➖ not for this phase |');
  });

  it('a 429 is retried after the Retry-After the service asked for', async () => {
    slack.failNext(1, { status: 429, retryAfter: 2 });
    const run = await notify({ phase: 'approved' }, { 'notify.yml': 'channels:\n  slack: {}\n' });
    expect(run.exitCode).toBe(0);
    expect(slack.requests.map((r) => r.status)).toEqual([429, 200]);
    const [first, second] = slack.requests;
    const waited = (second?.receivedAt.getTime() ?? 0) - (first?.receivedAt.getTime() ?? 0);
    // The back-off alone would be 0.5 s: the 2 s is the service's.
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(run.log.join('\n')).toMatch(/Slack: .*HTTP 429; retry 1\/3 in 2\.0 s/);
    expect(run.outputs['failed-channels']).toBe('');
  });

  it('a channel that is down: exit 0, a warning, a summary row and failed-channels; the others get the message', async () => {
    const run = await notify({
      phase: 'incident',
      message: 'Error rate above 5 % after go-live.',
      'webhook-url': `http://127.0.0.1:${await closedPort()}/gateway`,
      attempts: '2',
    });
    expect(run.exitCode).toBe(0);
    expect(errors(run)).toEqual([]);
    expect(warnings(run)).toEqual([expect.stringContaining('Webhook did not get the incident notification')]);
    expect(run.outputs).toMatchObject({
      'sent-channels': 'slack,teams,statuspage',
      'failed-channels': 'webhook',
    });
    expect(run.summary).toMatch(/\| Webhook \| ⚠️ failed \| 2 \|/);
    expect(slack.delivered()).toHaveLength(1);
    expect(incident(statuspage)).toMatchObject({
      status: 'investigating',
      impact_override: 'major',
    });
  });

  it('a refusal (401 from Statuspage) is not retried and is reported, not fatal', async () => {
    const run = await notify({ phase: 'outcome', result: 'rolled-back', 'statuspage-api-key': 'wrong-key' });
    expect(run.exitCode).toBe(0);
    expect(statuspage.requests.map((r) => r.status)).toEqual([401]);
    expect(run.outputs['failed-channels']).toBe('statuspage');
    expect(leakedSecrets(run, ['wrong-key', PAGE.pageId])).toEqual([]);
  });

  it('a custom template of the repository is used, with its placeholders filled in', async () => {
    const template = {
      text: 'Release {{project}}: {{result}}',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*{{title}}* <{{run_url}}|run>' } },
        { type: 'context', when: 'message', elements: [{ type: 'mrkdwn', text: '{{message}}' }] },
      ],
    };
    const run = await notify(
      { phase: 'outcome', result: 'rolled-back' },
      {
        'notify.yml': 'channels:\n  slack:\n    template: .github/deploy-gates/slack.json\n',
        '.github/deploy-gates/slack.json': JSON.stringify(template),
      },
    );
    expect(errors(run)).toEqual([]);
    const sent = body<{ text: string; blocks: unknown[] }>(slack);
    expect(sent.text).toBe('Release neonpro-web: rolled-back');
    // No message: the element that shows it is left out.
    expect(sent.blocks).toHaveLength(1);
  });

  it.each([
    ['a channel without its secret', { phase: 'started', 'slack-webhook': '' }, ALL, 'slack-webhook'],
    ['a phase that does not exist', { phase: 'afterwards' }, ALL, 'phase'],
    ['an outcome without a result', { phase: 'outcome' }, ALL, 'result'],
    [
      'a template naming an unknown placeholder',
      { phase: 'started' },
      'channels:\n  webhook:\n    template: t.json\n',
      'channels',
    ],
    [
      'a template Slack would refuse',
      { phase: 'started' },
      'channels:\n  slack:\n    template: empty.json\n',
      'channels',
    ],
  ])('bad input (%s): one error naming the input, nothing sent', async (_, inputs, channels, input) => {
    const run = await notify(inputs, {
      'notify.yml': channels,
      't.json': '{"text": "{{no_such_thing}}"}',
      'empty.json': '{"blocks": []}',
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toContain(`Input "${input}"`);
    for (const r of [slack, teams, hook, statuspage]) expect(r.requests).toEqual([]);
  });
});
