import { escapeMarkdownInline } from '../report/markdown-escape.js';
import type { NotifyMessage } from './message.js';
import type { Delivery } from './send.js';

const ICON = { sent: '✅', failed: '⚠️', 'not-for-phase': '➖' } as const;
const STATE = { sent: 'sent', failed: 'failed', 'not-for-phase': 'not for this phase' } as const;

/** The job summary: each channel's delivery, so a notification that did not go out is seen on the run page. */
export function notifySummary(message: NotifyMessage, deliveries: Delivery[], file: string): string {
  const failed = deliveries.filter((d) => d.state === 'failed').length;
  const lines = [
    `## ${failed > 0 ? '⚠️' : '📣'} Notifications: ${message.phase}${message.result ? ` (${message.result})` : ''}`,
    '',
  ];
  if (deliveries.length === 0) {
    lines.push(file ? `${file} lists no channel.` : 'No channels file: nothing was sent.', '');
    return `${lines.join('\n')}\n`;
  }
  lines.push('| Channel | Result | Attempts | Detail |', '| --- | --- | --- | --- |');
  for (const d of deliveries)
    lines.push(
      `| ${d.label} | ${ICON[d.state]} ${STATE[d.state]} | ${d.state === 'not-for-phase' ? '' : d.attempts} | ${escapeMarkdownInline(d.detail)} |`,
    );
  lines.push('');
  if (failed > 0)
    lines.push(
      `${failed} channel${failed === 1 ? '' : 's'} did not get the message. The deploy goes on regardless: tell ${failed === 1 ? 'it' : 'them'} another way, and check the secret and the service.`,
      '',
    );
  lines.push(`Channels file: ${escapeMarkdownInline(file)}`, '');
  return `${lines.join('\n')}\n`;
}
