/**
 * Receivers that answer as Slack, Microsoft Teams and Atlassian Statuspage do: each checks a payload
 * against what the real service accepts (its public documentation) and refuses the rest with the
 * service's status and error, so a test that a channel "received" a message proves the service would
 * have taken it. Written apart from src/notify on purpose: the action's own checks are what is tested.
 */
import type { IncomingRequest, ServiceAnswer, StartWebhookOptions, WebhookReceiver } from './receiver.js';
import { startWebhookReceiver } from './receiver.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const text = (status: number, body: string): ServiceAnswer => ({ status, body });
const json = (status: number, body: unknown): ServiceAnswer => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
});
const isJson = (req: IncomingRequest) =>
  String(req.headers['content-type'] ?? '').startsWith('application/json');

// Block Kit (docs.slack.dev): at most 50 blocks; a header's plain_text at most 150 characters; a section's
// text at most 3000, at most 10 fields of at most 2000; a context at most 10 elements.
const SLACK_BLOCKS = new Set([
  'header',
  'section',
  'context',
  'divider',
  'actions',
  'image',
  'rich_text',
  'markdown',
]);

/** What Slack would refuse in an incoming-webhook payload, as the error it answers; undefined when fine. */
export function slackRefusal(payload: unknown): string | undefined {
  const p = obj(payload);
  if (!p) return 'invalid_payload';
  const blocks = p.blocks;
  const hasText = typeof p.text === 'string' && p.text.trim() !== '';
  if (blocks === undefined) return hasText ? undefined : 'no_text';
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return 'invalid_blocks';
  for (const raw of blocks) {
    const b = obj(raw);
    if (!b || typeof b.type !== 'string' || !SLACK_BLOCKS.has(b.type)) return 'invalid_blocks';
    const t = obj(b.text);
    if (b.type === 'header') {
      if (
        t?.type !== 'plain_text' ||
        typeof t.text !== 'string' ||
        t.text.length === 0 ||
        t.text.length > 150
      )
        return 'invalid_blocks';
    }
    if (b.type === 'section') {
      if (t && (typeof t.text !== 'string' || t.text.length === 0 || t.text.length > 3000))
        return 'invalid_blocks';
      const fields = b.fields;
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > 10) return 'invalid_blocks';
        if (fields.some((f) => typeof obj(f)?.text !== 'string' || String(obj(f)?.text).length > 2000))
          return 'invalid_blocks';
      }
      if (!t && fields === undefined) return 'invalid_blocks';
    }
    if (
      b.type === 'context' &&
      (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10)
    )
      return 'invalid_blocks';
  }
  return undefined;
}

/** Slack's incoming webhook: 200 `ok`, or 400 with the error as text. */
export function slackAnswer(req: IncomingRequest): ServiceAnswer {
  if (req.method !== 'POST') return text(405, 'invalid_request');
  if (!isJson(req)) return text(400, 'invalid_payload');
  const refusal = slackRefusal(req.json);
  return refusal ? text(400, refusal) : text(200, 'ok');
}

/**
 * What a Teams webhook would refuse: the message envelope with one or more Adaptive Card attachments,
 * each card a type, a version and a body list. Undefined when fine.
 */
export function teamsRefusal(payload: unknown): string | undefined {
  const p = obj(payload);
  if (p?.type !== 'message') return 'the payload must be {"type": "message", "attachments": [...]}';
  if (!Array.isArray(p.attachments) || p.attachments.length === 0)
    return 'attachments must be a non-empty list';
  for (const raw of p.attachments) {
    const a = obj(raw);
    if (a?.contentType !== 'application/vnd.microsoft.card.adaptive')
      return 'each attachment must have contentType application/vnd.microsoft.card.adaptive';
    const card = obj(a.content);
    if (card?.type !== 'AdaptiveCard') return 'an attachment content must be an AdaptiveCard';
    if (typeof card.version !== 'string' || !/^\d+\.\d+$/.test(card.version))
      return 'the card needs a version such as 1.4';
    if (!Array.isArray(card.body) || card.body.some((e) => typeof obj(e)?.type !== 'string'))
      return 'the card body must be a list of typed elements';
  }
  if (Buffer.byteLength(JSON.stringify(payload)) > 28 * 1024) return 'the message is larger than 28 KB';
  return undefined;
}

/** A Teams (Workflows) webhook: 202 Accepted, or 400 with an error. */
export function teamsAnswer(req: IncomingRequest): ServiceAnswer {
  if (req.method !== 'POST') return text(405, '');
  const refusal = teamsRefusal(req.json);
  return refusal ? json(400, { error: { code: 'BadRequest', message: refusal } }) : text(202, '');
}

const STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
];
const IMPACTS = ['none', 'maintenance', 'minor', 'major', 'critical'];
const INCIDENT_KEYS = new Set([
  'name',
  'status',
  'impact_override',
  'scheduled_for',
  'scheduled_until',
  'scheduled_remind_prior',
  'scheduled_auto_in_progress',
  'scheduled_auto_completed',
  'auto_transition_to_maintenance_state',
  'auto_transition_to_operational_state',
  'auto_transition_deliver_notifications_at_start',
  'auto_transition_deliver_notifications_at_end',
  'deliver_notifications',
  'metadata',
  'body',
  'components',
  'component_ids',
  'backfilled',
  'backfill_date',
]);

/** What Statuspage would refuse in a create-incident body, as its errors; empty when fine. */
export function statuspageRefusal(payload: unknown): string[] {
  const incident = obj(obj(payload)?.incident);
  if (!incident) return ['incident is missing'];
  const errors: string[] = [];
  for (const key of Object.keys(incident))
    if (!INCIDENT_KEYS.has(key)) errors.push(`incident.${key} is not a field`);
  if (typeof incident.name !== 'string' || incident.name.trim() === '') errors.push("Name can't be blank");
  if (incident.status !== undefined && !STATUSES.includes(String(incident.status)))
    errors.push(`Status ${String(incident.status)} is not included in the list`);
  if (incident.impact_override !== undefined && !IMPACTS.includes(String(incident.impact_override)))
    errors.push('Impact override is not included in the list');
  for (const key of ['scheduled_for', 'scheduled_until'])
    if (incident[key] !== undefined && Number.isNaN(Date.parse(String(incident[key]))))
      errors.push(`${key} is not a date`);
  if (incident.status === 'scheduled') {
    const from = Date.parse(String(incident.scheduled_for));
    const until = Date.parse(String(incident.scheduled_until));
    if (Number.isNaN(from) || Number.isNaN(until))
      errors.push('A scheduled maintenance needs scheduled_for and scheduled_until');
    else if (until <= from) errors.push('scheduled_until must be after scheduled_for');
  }
  return errors;
}

/**
 * Statuspage's `POST /v1/pages/{page_id}/incidents`: 401 without `Authorization: OAuth <key>`, 404 for
 * another page, 422 for a body it refuses, 201 with the incident created.
 */
export function statuspageAnswer(pageId: string, apiKey: string) {
  let next = 0;
  return (req: IncomingRequest): ServiceAnswer => {
    if (req.headers.authorization !== `OAuth ${apiKey}`)
      return json(401, { error: 'Could not authenticate' });
    if (req.method !== 'POST' || req.path !== `/v1/pages/${pageId}/incidents`)
      return json(404, { error: 'Not found' });
    if (!isJson(req)) return json(415, { error: 'Unsupported media type' });
    const errors = statuspageRefusal(req.json);
    if (errors.length > 0) return json(422, { error: errors });
    const incident = obj(obj(req.json)?.incident) ?? {};
    return json(201, {
      id: `inc${++next}`,
      page_id: pageId,
      ...incident,
      created_at: new Date().toISOString(),
    });
  };
}

export const startSlackReceiver = (o: StartWebhookOptions = {}): Promise<WebhookReceiver> =>
  startWebhookReceiver({ ...o, respond: slackAnswer });
export const startTeamsReceiver = (o: StartWebhookOptions = {}): Promise<WebhookReceiver> =>
  startWebhookReceiver({ ...o, respond: teamsAnswer });
export const startStatuspageReceiver = (
  page: { pageId: string; apiKey: string },
  o: StartWebhookOptions = {},
): Promise<WebhookReceiver> =>
  startWebhookReceiver({ ...o, respond: statuspageAnswer(page.pageId, page.apiKey) });
