/**
 * The communication plan's channels on the sandbox: a receiver per channel that answers as the service
 * does (sandbox/webhook/services.ts), the secrets that point the playbook's notify steps at them, the
 * channels file every sandbox release commits, and what each channel received, for the e2e test and
 * `npm run demo`.
 */
import { startWebhookReceiver, type WebhookReceiver } from './webhook/receiver.js';
import { startSlackReceiver, startStatuspageReceiver, startTeamsReceiver } from './webhook/services.js';

/** The channels file of every sandbox release: each channel with its default phases. */
export const SANDBOX_NOTIFY_CHANNELS = '.github/deploy-gates/notify.yml';
export const SANDBOX_NOTIFY_FILE = `# The communication plan's channels (actions/notify/README.md).
channels:
  slack: {}
  teams: {}
  # Stakeholders and clinic partners (an e-mail, SMS or in-app gateway).
  webhook: {}
  # notice, outcome and incident.
  statuspage: {}
`;
const PAGE = { pageId: 'sandboxpage1', apiKey: 'sandbox-statuspage-key' };

/** One message as a channel received it: what it said, and whether the service accepted it. */
export interface Received {
  channel: string;
  status: number;
  /** The phase (the webhook's field), or the headline the others show. */
  phase: string;
  headline: string;
}

export interface NotifySandbox {
  slack: WebhookReceiver;
  teams: WebhookReceiver;
  webhook: WebhookReceiver;
  statuspage: WebhookReceiver;
  /** The playbook's secrets for its notify steps, by name. */
  secrets: Record<string, string>;
  /** The Statuspage API the notify steps reach (the playbook input statuspage-api-url). */
  statuspageApiUrl: string;
  /** What each channel received about `project`, in arrival order. */
  received(project: string): Received[];
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
const headline = (channel: string, json: unknown): string => {
  const b = (json ?? {}) as Body;
  if (channel === 'slack') return String(b.text ?? '');
  if (channel === 'webhook') return String(b.title ?? '');
  if (channel === 'statuspage') return String((b.incident as Body | undefined)?.name ?? '');
  const card = ((b.attachments as Body[] | undefined)?.[0]?.content ?? {}) as { body?: Body[] };
  return String(card.body?.[0]?.text ?? '');
};

export async function startNotifySandbox(): Promise<NotifySandbox> {
  const [slack, teams, webhook, statuspage] = await Promise.all([
    startSlackReceiver(),
    startTeamsReceiver(),
    startWebhookReceiver(),
    startStatuspageReceiver(PAGE),
  ]);
  const channels = { slack, teams, webhook, statuspage };
  return {
    ...channels,
    secrets: {
      SLACK_WEBHOOK_URL: slack.url('/services/T0SANDBOX/B0SANDBOX/sandbox'),
      TEAMS_WEBHOOK_URL: teams.url('/workflows/sandbox'),
      NOTIFY_WEBHOOK_URL: webhook.url('/stakeholders'),
      STATUSPAGE_API_KEY: PAGE.apiKey,
      STATUSPAGE_PAGE_ID: PAGE.pageId,
    },
    statuspageApiUrl: statuspage.origin,
    received: (project) =>
      Object.entries(channels).flatMap(([channel, r]) =>
        r.requests
          .filter((q) => q.body.includes(project))
          .map((q) => ({
            channel,
            status: q.status,
            phase: String((q.json as Body | undefined)?.phase ?? ''),
            headline: headline(channel, q.json),
          })),
      ),
    close: async () => {
      await Promise.all(Object.values(channels).map((r) => r.close()));
    },
  };
}
