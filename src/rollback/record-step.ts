import { errorMessage } from '../errors.js';
import type { Ledger } from '../incident/ledger.js';
import {
  type NotificationInput,
  notificationDigest,
  type PostOptions,
  postJson,
  slackMessage,
} from '../incident/notify.js';
import { type Step, StepFailure, type StepOutcome } from './steps.js';

export interface IncidentWriter {
  write(change?: (ledger: Ledger) => void): Promise<{ number: number; url: string }>;
  /** The ledger as read from the issue, when it could be read. */
  knownLedger(): Ledger | undefined;
  readonly url: string | undefined;
}

export interface RecordStepOptions {
  incident: IncidentWriter;
  attempt: number;
  /** Marks the failed deployment on GitHub; returns what it did. Absent when there is none to mark. */
  deploymentStatus?: () => Promise<string>;
  webhook?: { url: string; message: () => NotificationInput; post?: PostOptions };
  /** The rollback's clock, which stamps every ledger entry. */
  now: () => Date;
}

/**
 * Tells people: the incident issue (opened once per run, updated on re-runs), the GitHub deployment
 * status of the failed deployment, and the stakeholder webhook. Each part is tried even when another
 * fails, and a re-run does not repeat a notification that already said the same thing.
 */
export function recordStep(options: RecordStepOptions): Step {
  return {
    name: 'record',
    title: 'Incident and notifications',
    async run(): Promise<StepOutcome> {
      const done: string[] = [];
      const failed: string[] = [];
      let incidentUrl: string | undefined;
      try {
        const issue = await options.incident.write();
        incidentUrl = issue.url;
        done.push(`incident #${issue.number} updated`);
      } catch (err) {
        failed.push(`the incident issue could not be written (${errorMessage(err)})`);
      }
      if (options.deploymentStatus) {
        try {
          done.push(await options.deploymentStatus());
        } catch (err) {
          failed.push(`the GitHub deployment status could not be set (${errorMessage(err)})`);
        }
      }
      if (options.webhook) {
        const message = options.webhook.message();
        const digest = notificationDigest(message);
        const sent = options.incident
          .knownLedger()
          ?.notifications.find((n) => n.delivered && n.digest === digest);
        if (sent) {
          done.push(`stakeholders were already told this in attempt ${sent.attempt}`);
        } else {
          let delivered = false;
          try {
            const result = await postJson(options.webhook.url, slackMessage(message), {
              ...options.webhook.post,
              headers: { 'x-deploy-gates-delivery': `${message.runId}-${message.attempt}-${digest}` },
            });
            delivered = true;
            done.push(
              `stakeholders notified (webhook answered ${result.status} after ${result.attempts} attempt(s))`,
            );
          } catch (err) {
            failed.push(`stakeholders could not be notified: ${errorMessage(err)}`);
          }
          try {
            await options.incident.write((l) => {
              l.notifications.push({
                attempt: options.attempt,
                digest,
                delivered,
                at: options.now().toISOString(),
              });
            });
          } catch (err) {
            if (delivered)
              failed.push(`the notification was sent but could not be journalled (${errorMessage(err)})`);
          }
        }
      }
      const data = incidentUrl ? { incidentUrl } : {};
      if (failed.length > 0) {
        throw new StepFailure(`${[...failed, ...done].join('; ')}.`, data);
      }
      return { status: 'done', detail: `${done.join('; ')}.`, data };
    },
  };
}
