import { InputError } from '../errors.js';
import { NOTIFY_INPUTS, NOTIFY_PHASES, NOTIFY_RESULTS } from '../inputs/notify.js';
import {
  type InputReader,
  parseDuration,
  parseEnum,
  parseHttpUrl,
  parseInteger,
  parseLines,
  parseName,
  parseSecretToken,
  parseSingleLine,
  quoteValue,
} from '../runner/inputs.js';
import { parseExistingPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import { CHANNELS, type ChannelName } from './channels.js';
import { type ChannelsFile, readChannelsFile } from './config.js';
import type { NotifyMessage, Phase, Result, StageResult } from './message.js';

/** Where each channel is sent: what its secrets say. */
export interface ChannelTarget {
  url: string;
  headers: Record<string, string>;
}

export interface NotifyInputs {
  message: NotifyMessage;
  /** Undefined: no channels file, nothing to send. */
  file: ChannelsFile | undefined;
  targets: Partial<Record<ChannelName, ChannelTarget>>;
  attempts: number;
}

/** A job's result (success, failure, cancelled, skipped) or one of the action's results. */
const STAGE_RESULTS: readonly string[] = NOTIFY_RESULTS;

/** A webhook URL carries its secret in the path: it is never quoted back. */
function secretUrl(input: string, raw: string, what: string): string {
  const value = raw.trim();
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol))
    throw new InputError(input, 'is not an http(s) URL', `Set ${input} to ${what} (from a secret).`);
  return value;
}

function parseStages(raw: string): StageResult[] {
  const fix =
    'Write stage-results as one name=result per line, e.g. db=success, with results such as success, failure, cancelled, skipped.';
  return parseLines(raw).map((line) => {
    const match = /^([\w.-]{1,64})\s*=\s*([a-z-]+)$/.exec(line);
    if (!match?.[1] || !match[2] || !STAGE_RESULTS.includes(match[2]))
      throw new InputError('stage-results', `${quoteValue(line)} is not name=result`, fix);
    return { name: match[1], result: match[2] };
  });
}

function parseInstant(input: string, raw: string): string {
  const value = raw.trim();
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? Date.parse(value)
    : Number.NaN;
  if (Number.isNaN(ms))
    throw new InputError(
      input,
      `${quoteValue(value)} is not an ISO-8601 time with a zone`,
      `Set ${input} to a time such as 2026-03-11T05:00:00Z.`,
    );
  return new Date(ms).toISOString();
}

/**
 * Every input, the channels file and its templates, checked before anything is sent; a channel the file
 * lists needs its secrets.
 */
export async function readNotifyInputs(input: InputReader, ctx: RunContext): Promise<NotifyInputs> {
  if (!input('phase'))
    throw new InputError(
      'phase',
      'is required but empty',
      `Set phase to one of: ${NOTIFY_PHASES.join(', ')}.`,
    );
  const phase = parseEnum<Phase>('phase', input('phase'), NOTIFY_PHASES, 'started');
  const channelsRaw = input('channels');
  const channelsPath = channelsRaw
    ? parseExistingPath('channels', channelsRaw, ctx.workspace, 'file')
    : undefined;
  const result = input('result')
    ? parseEnum<Result>('result', input('result'), NOTIFY_RESULTS, 'success')
    : '';
  const stage = parseName('stage', input('stage'), 'a stage (job) name');
  const stages = parseStages(input('stage-results'));
  const message = parseSingleLine('message', input('message'), { max: 1000 });
  const scheduledRaw = input('scheduled-for');
  const scheduledFor = scheduledRaw ? parseInstant('scheduled-for', scheduledRaw) : '';
  const durationMs = parseDuration(
    'maintenance-duration',
    input('maintenance-duration') || '4h',
    0,
    NOTIFY_INPUTS['maintenance-duration'],
  );
  const attempts = parseInteger('attempts', input('attempts'), 4, NOTIFY_INPUTS.attempts);
  const environment =
    parseName('environment', input('environment') || 'production', 'an environment name', { spaces: true }) ||
    'production';
  const project =
    parseName('project', input('project'), 'a project name', { spaces: true }) ||
    ctx.repository.split('/').pop() ||
    ctx.repository;
  const evidence = input('evidence-url');
  const runUrl = `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}`;
  const evidenceUrl = evidence ? parseHttpUrl('evidence-url', evidence, 'the evidence link').href : runUrl;
  const apiUrl = parseHttpUrl(
    'statuspage-api-url',
    input('statuspage-api-url') || 'https://api.statuspage.io',
    'the Statuspage API',
  );

  // What the phase cannot go without.
  if (phase === 'notice' && !scheduledFor)
    throw new InputError(
      'scheduled-for',
      'is empty, and phase notice announces a window',
      'Set scheduled-for to when the maintenance window opens, e.g. 2026-03-11T05:00:00Z.',
    );
  if ((phase === 'outcome' || phase === 'stage') && !result)
    throw new InputError(
      'result',
      `is empty, and phase ${phase} says how it ended`,
      `Set result to one of: ${NOTIFY_RESULTS.join(', ')}.`,
    );
  if (phase === 'stage' && !stage)
    throw new InputError(
      'stage',
      'is empty, and phase stage names the stage',
      'Set stage to the stage (job) whose result this is, e.g. db.',
    );

  // Every secret given is checked, listed or not: a malformed one is a mistake either way.
  const secret = {
    slack:
      input('slack-webhook') &&
      secretUrl('slack-webhook', input('slack-webhook'), 'a Slack incoming webhook URL'),
    teams:
      input('teams-webhook') &&
      secretUrl('teams-webhook', input('teams-webhook'), 'a Microsoft Teams webhook URL'),
    webhook:
      input('webhook-url') && secretUrl('webhook-url', input('webhook-url'), 'a URL that accepts JSON'),
    key: input('statuspage-api-key') && parseSecretToken('statuspage-api-key', input('statuspage-api-key')),
    page: input('statuspage-page-id') && parseStatuspagePage(input('statuspage-page-id')),
  };

  const file = channelsPath ? await readChannelsFile(channelsPath, ctx.workspace) : undefined;
  const targets: NotifyInputs['targets'] = {};
  for (const channel of file?.channels ?? []) {
    for (const name of CHANNELS[channel.name].secrets) {
      if (!input(name))
        throw new InputError(
          name,
          `is empty, but ${file?.display} lists the channel ${channel.name}`,
          `Pass ${name} from a secret, or take ${channel.name} out of ${file?.display}.`,
        );
    }
    if (channel.name === 'statuspage')
      targets.statuspage = {
        url: new URL(
          `v1/pages/${encodeURIComponent(secret.page)}/incidents`,
          `${apiUrl.href.replace(/\/?$/, '/')}`,
        ).href,
        headers: { authorization: `OAuth ${secret.key}` },
      };
    else targets[channel.name] = { url: secret[channel.name], headers: {} };
  }

  return {
    file,
    targets,
    attempts,
    message: {
      phase,
      environment,
      project,
      repository: ctx.repository,
      runUrl,
      evidenceUrl,
      result,
      stage,
      stages,
      message,
      scheduledFor,
      scheduledUntil: scheduledFor ? new Date(Date.parse(scheduledFor) + durationMs).toISOString() : '',
      sha: ctx.sha,
      actor: ctx.actor,
      attempt: ctx.runAttempt,
    },
  };
}

/** The page id goes into the API path: letters, digits, _ and - only, never quoted back (it is masked). */
function parseStatuspagePage(raw: string): string {
  const value = raw.trim();
  if (!/^[\w-]{1,64}$/.test(value))
    throw new InputError(
      'statuspage-page-id',
      'is not a Statuspage page id (letters, digits, _ and -)',
      'Set statuspage-page-id to the page id shown in the Statuspage API settings.',
    );
  return value;
}
