import type { Runner } from '../runner/runner.js';
import { runContext } from '../runner/runner.js';
import { CHANNELS } from './channels.js';
import { readNotifyInputs } from './inputs.js';
import { titleOf } from './message.js';
import { renderPayload } from './render.js';
import { type Delivery, deliver } from './send.js';
import { notifySummary } from './summary.js';

/**
 * One phase of the communication plan, sent to every channel of the channels file that takes it. Every
 * input, the file, its templates and each payload are checked before the first request (a mistake is one
 * error and nothing sent); after that, a channel that does not take the message is a warning, a row of
 * the summary and a name in failed-channels, never a failed step: the deploy or rollback it reports on
 * goes on.
 */
export async function notify(runner: Runner, sleep?: (ms: number) => Promise<void>): Promise<void> {
  const ctx = runContext(runner.env);
  const inputs = await readNotifyInputs((name) => runner.input(name), ctx);
  const { message, file } = inputs;
  const chosen = (file?.channels ?? []).filter((c) => c.phases.includes(message.phase));
  const payloads = chosen.map((c) => ({
    channel: c,
    payload: renderPayload(c, message, file?.display ?? ''),
  }));

  runner.info(`${titleOf(message)}: to ${payloads.map((p) => p.channel.name).join(', ') || 'no channel'}.`);
  const sent = await Promise.all(
    payloads.map(({ channel, payload }) => {
      const target = inputs.targets[channel.name];
      const label = CHANNELS[channel.name].label;
      // Every channel the file lists has its target: readNotifyInputs refused a missing secret.
      if (!target) throw new Error(`no target for ${channel.name}`);
      return deliver(channel.name, label, target, payload, {
        attempts: inputs.attempts,
        log: (m) => runner.info(m),
        ...(sleep ? { sleep } : {}),
      });
    }),
  );
  const skipped: Delivery[] = (file?.channels ?? [])
    .filter((c) => !chosen.includes(c))
    .map((c) => ({
      channel: c.name,
      label: CHANNELS[c.name].label,
      state: 'not-for-phase',
      attempts: 0,
      detail: `its phases: ${c.phases.join(', ')}`,
    }));
  for (const d of sent) {
    if (d.state === 'sent')
      runner.info(`${d.label}: sent (${d.detail}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}).`);
    else
      runner.warning(
        `${d.label} did not get the ${message.phase} notification: ${d.detail}. The deploy goes on; tell its readers another way and check the secret and the service.`,
        { title: `Notification not sent (${d.label})` },
      );
  }
  runner.setOutput(
    'sent-channels',
    sent
      .filter((d) => d.state === 'sent')
      .map((d) => d.channel)
      .join(','),
  );
  runner.setOutput(
    'failed-channels',
    sent
      .filter((d) => d.state === 'failed')
      .map((d) => d.channel)
      .join(','),
  );
  await runner.appendSummary(notifySummary(message, [...sent, ...skipped], file?.display ?? ''));
}
