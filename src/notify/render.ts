import { InputError } from '../errors.js';
import { CHANNELS } from './channels.js';
import type { ChannelConfig } from './config.js';
import { type NotifyMessage, placeholders } from './message.js';
import { renderTemplate } from './template.js';

/**
 * The payload a channel gets for the message: its template rendered, cut to the service's limits, and
 * checked against what the service accepts. A payload the service would refuse is an input error (the
 * template is wrong), found before anything is sent.
 */
export function renderPayload(channel: ChannelConfig, message: NotifyMessage, display: string): unknown {
  const spec = CHANNELS[channel.name];
  const rendered = spec.fit(renderTemplate(channel.template, placeholders(message), spec.escape));
  if (channel.name === 'statuspage' && channel.components.length > 0) {
    const incident = (rendered as { incident?: Record<string, unknown> }).incident;
    if (incident) incident.component_ids = channel.components;
  }
  const problems = spec.problems(rendered);
  if (problems.length > 0) {
    const template = channel.templateFile || `the built-in ${channel.name} template`;
    throw new InputError(
      'channels',
      `${display}: ${template} gives a ${spec.label} payload that ${spec.label} would refuse for phase ${message.phase}: ${problems.join('; ')}`,
      `Fix ${template} (see actions/notify/README.md for the payload ${spec.label} takes).`,
    );
  }
  return rendered;
}
