import { clip, mrkdwn } from '../incident/notify.js';
import { NOTIFY_PHASES } from '../inputs/notify.js';
import { isPlainObject } from '../util/deep-merge.js';
import type { Phase } from './message.js';
import type { Template } from './template.js';

export const CHANNEL_NAMES = ['slack', 'teams', 'webhook', 'statuspage'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** What a channel is, apart from where it is sent: its secrets, phases, template and the service's rules. */
export interface ChannelSpec {
  label: string;
  /** The inputs it needs; each is required once the channels file lists the channel. */
  secrets: readonly string[];
  /** The phases it gets when the channels file gives none. */
  phases: readonly Phase[];
  template: Template;
  /** How a value is written into the template's strings (Slack's mrkdwn escapes &, < and >). */
  escape?: (value: string) => string;
  /** The rendered payload cut to the service's limits (a long stage list must not make Slack refuse it). */
  fit: (payload: unknown) => unknown;
  /** What the service would refuse in the payload; empty when it would accept it. */
  problems: (payload: unknown) => string[];
}

const ALL_PHASES: readonly Phase[] = NOTIFY_PHASES;

// Slack's Block Kit limits for a message (docs.slack.dev, block reference).
export const SLACK_LIMITS = { blocks: 50, header: 150, section: 3000, field: 2000, fields: 10, text: 3000 };

const SLACK_TEMPLATE = {
  text: '{{title}}',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: '{{title}}', emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: '{{text}}' } },
    { type: 'section', when: 'stages', text: { type: 'mrkdwn', text: '*Stages*\n{{stages}}' } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Environment*\n{{environment}}' },
        { type: 'mrkdwn', text: '*Project*\n{{project}}' },
        { type: 'mrkdwn', text: '*Commit*\n{{sha}}' },
        { type: 'mrkdwn', text: '*Run attempt*\n{{attempt}}' },
      ],
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '<{{run_url}}|Workflow run> · <{{evidence_url}}|Evidence>' }],
    },
  ],
};

const TEAMS_TEMPLATE = {
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', text: '{{title}}', weight: 'Bolder', size: 'Medium', wrap: true },
          { type: 'TextBlock', text: '{{text}}', wrap: true },
          {
            type: 'FactSet',
            facts: [
              { title: 'Environment', value: '{{environment}}' },
              { title: 'Project', value: '{{project}}' },
              { title: 'Result', value: '{{result}}', when: 'result' },
              { title: 'Commit', value: '{{sha}}', when: 'sha' },
            ],
          },
          { type: 'TextBlock', when: 'stages', text: '{{stages}}', wrap: true },
        ],
        actions: [
          { type: 'Action.OpenUrl', title: 'Workflow run', url: '{{run_url}}' },
          { type: 'Action.OpenUrl', title: 'Evidence', url: '{{evidence_url}}' },
        ],
      },
    },
  ],
};

const WEBHOOK_TEMPLATE = {
  event: 'deploy-gates.{{phase}}',
  phase: '{{phase}}',
  title: '{{title}}',
  text: '{{text}}',
  environment: '{{environment}}',
  project: '{{project}}',
  repository: '{{repository}}',
  result: '{{result}}',
  stage: '{{stage}}',
  stages: '{{stages}}',
  message: '{{message}}',
  scheduledFor: '{{scheduled_for}}',
  scheduledUntil: '{{scheduled_until}}',
  runUrl: '{{run_url}}',
  evidenceUrl: '{{evidence_url}}',
  sha: '{{sha}}',
  attempt: '{{attempt}}',
};

const STATUSPAGE_TEMPLATE = {
  incident: {
    name: '{{title}}',
    status: '{{statuspage_status}}',
    impact_override: '{{impact}}',
    body: '{{text}}',
    scheduled_for: '{{scheduled_for}}',
    scheduled_until: '{{scheduled_until}}',
    scheduled_remind_prior: true,
    scheduled_auto_in_progress: true,
    scheduled_auto_completed: true,
    deliver_notifications: true,
  },
};

/** Statuspage's incident statuses: a realtime incident's, then a scheduled maintenance's. */
export const STATUSPAGE_STATUSES = {
  incident: ['investigating', 'identified', 'monitoring', 'resolved'],
  maintenance: ['scheduled', 'in_progress', 'verifying', 'completed'],
} as const;
const STATUSPAGE_IMPACTS = ['none', 'maintenance', 'minor', 'major', 'critical'];

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined => (isPlainObject(v) ? v : undefined);

function fitSlack(payload: unknown): unknown {
  const p = asObject(payload);
  if (!p) return payload;
  const clipText = (o: Json | undefined, max: number) => {
    if (o && typeof o.text === 'string') o.text = clip(o.text, max);
  };
  clipText(p, SLACK_LIMITS.text);
  if (Array.isArray(p.blocks)) {
    for (const b of p.blocks.map(asObject)) {
      if (!b) continue;
      clipText(asObject(b.text), b.type === 'header' ? SLACK_LIMITS.header : SLACK_LIMITS.section);
      if (Array.isArray(b.fields)) for (const f of b.fields) clipText(asObject(f), SLACK_LIMITS.field);
      if (Array.isArray(b.elements)) for (const e of b.elements) clipText(asObject(e), SLACK_LIMITS.field);
    }
  }
  return p;
}

function slackProblems(payload: unknown): string[] {
  const p = asObject(payload);
  if (!p) return ['the payload is not a JSON object'];
  const hasText = typeof p.text === 'string' && p.text.trim() !== '';
  const blocks = p.blocks;
  if (blocks !== undefined && !Array.isArray(blocks)) return ['"blocks" is not a list'];
  if (!hasText && !(Array.isArray(blocks) && blocks.length > 0))
    return ['it has neither "text" nor "blocks" (Slack answers no_text)'];
  const problems: string[] = [];
  if (Array.isArray(blocks)) {
    if (blocks.length > SLACK_LIMITS.blocks)
      problems.push(`${blocks.length} blocks, more than Slack's ${SLACK_LIMITS.blocks}`);
    blocks.forEach((b, i) => {
      const block = asObject(b);
      if (!block || typeof block.type !== 'string') problems.push(`blocks[${i}] has no "type"`);
      else if (block.type === 'header' && asObject(block.text)?.type !== 'plain_text')
        problems.push(`blocks[${i}] is a header whose text is not plain_text`);
      else if (block.type === 'section' && !asObject(block.text)?.text && !Array.isArray(block.fields))
        problems.push(`blocks[${i}] is a section with neither text nor fields`);
      else if (Array.isArray(block.fields) && block.fields.length > SLACK_LIMITS.fields)
        problems.push(`blocks[${i}] has more than ${SLACK_LIMITS.fields} fields`);
    });
  }
  return problems;
}

/** A Teams webhook takes at most 28 KB. */
const TEAMS_MAX_BYTES = 28 * 1024;

function teamsProblems(payload: unknown): string[] {
  const p = asObject(payload);
  if (!p) return ['the payload is not a JSON object'];
  if (p.type !== 'message') return ['"type" is not "message"'];
  if (!Array.isArray(p.attachments) || p.attachments.length === 0)
    return ['"attachments" is not a non-empty list'];
  const problems: string[] = [];
  p.attachments.forEach((a, i) => {
    const attachment = asObject(a);
    const card = asObject(attachment?.content);
    if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
      problems.push(`attachments[${i}].contentType is not application/vnd.microsoft.card.adaptive`);
    else if (card?.type !== 'AdaptiveCard')
      problems.push(`attachments[${i}].content.type is not AdaptiveCard`);
    else if (typeof card.version !== 'string')
      problems.push(`attachments[${i}].content.version is not a string`);
    else if (!Array.isArray(card.body)) problems.push(`attachments[${i}].content.body is not a list`);
  });
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > TEAMS_MAX_BYTES)
    problems.push(`it is ${bytes} bytes, more than the ${TEAMS_MAX_BYTES} Teams takes`);
  return problems;
}

function fitStatuspage(payload: unknown): unknown {
  const incident = asObject(asObject(payload)?.incident);
  if (!incident) return payload;
  if (typeof incident.name === 'string') incident.name = clip(incident.name, 255);
  // Only a scheduled maintenance has a window and reminders; an empty field would be refused as a date.
  for (const key of ['scheduled_for', 'scheduled_until', 'impact_override'])
    if (incident[key] === '') delete incident[key];
  if (incident.status !== 'scheduled')
    for (const key of Object.keys(incident))
      if (key.startsWith('scheduled_') && typeof incident[key] === 'boolean') delete incident[key];
  return payload;
}

function statuspageProblems(payload: unknown): string[] {
  const incident = asObject(asObject(payload)?.incident);
  if (!incident) return ['it has no "incident" object'];
  const problems: string[] = [];
  if (typeof incident.name !== 'string' || incident.name.trim() === '')
    problems.push('incident.name is empty');
  const statuses: readonly string[] = [...STATUSPAGE_STATUSES.incident, ...STATUSPAGE_STATUSES.maintenance];
  if (typeof incident.status !== 'string' || !statuses.includes(incident.status))
    problems.push(`incident.status ${JSON.stringify(incident.status)} is not one of ${statuses.join(', ')}`);
  if (
    incident.impact_override !== undefined &&
    !STATUSPAGE_IMPACTS.includes(String(incident.impact_override))
  )
    problems.push(`incident.impact_override is not one of ${STATUSPAGE_IMPACTS.join(', ')}`);
  if (incident.status === 'scheduled') {
    const from = Date.parse(String(incident.scheduled_for ?? ''));
    const until = Date.parse(String(incident.scheduled_until ?? ''));
    if (Number.isNaN(from) || Number.isNaN(until) || until <= from)
      problems.push('a scheduled maintenance needs scheduled_for before scheduled_until (ISO-8601)');
  }
  return problems;
}

export const CHANNELS: Record<ChannelName, ChannelSpec> = {
  slack: {
    label: 'Slack',
    secrets: ['slack-webhook'],
    phases: ALL_PHASES,
    template: SLACK_TEMPLATE,
    escape: mrkdwn,
    fit: fitSlack,
    problems: slackProblems,
  },
  teams: {
    label: 'Microsoft Teams',
    secrets: ['teams-webhook'],
    phases: ALL_PHASES,
    template: TEAMS_TEMPLATE,
    fit: (p) => p,
    problems: teamsProblems,
  },
  webhook: {
    label: 'Webhook',
    secrets: ['webhook-url'],
    phases: ALL_PHASES,
    template: WEBHOOK_TEMPLATE,
    fit: (p) => p,
    problems: (p) =>
      isPlainObject(p) || Array.isArray(p) ? [] : ['the payload is not a JSON object or list'],
  },
  statuspage: {
    label: 'Statuspage',
    secrets: ['statuspage-api-key', 'statuspage-page-id'],
    // A status page is for everyone who uses the service: the window, the outcome and incidents.
    phases: ['notice', 'outcome', 'incident'],
    template: STATUSPAGE_TEMPLATE,
    fit: fitStatuspage,
    problems: statuspageProblems,
  },
};
