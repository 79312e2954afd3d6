import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { NOTIFY_PHASES } from '../inputs/notify.js';
import { parseStructured, readStructured } from '../policy/structured-file.js';
import { isPlainObject } from '../util/deep-merge.js';
import { CHANNEL_NAMES, CHANNELS, type ChannelName } from './channels.js';
import { type Phase, PLACEHOLDER_NAMES } from './message.js';
import { placeholdersIn, type Template } from './template.js';

/** One channel of the channels file, its template read and checked. */
export interface ChannelConfig {
  name: ChannelName;
  phases: readonly Phase[];
  template: Template;
  /** The template's file, relative to the repository; '' for the built-in one. */
  templateFile: string;
  /** Statuspage only: the components the incident marks (component_ids). */
  components: string[];
}

export interface ChannelsFile {
  display: string;
  channels: ChannelConfig[];
}

const FIX =
  'Write the channels file as {"channels": {"slack": {}, "statuspage": {"phases": ["notice", "outcome", "incident"], "template": ".github/deploy-gates/statuspage.json"}}} (see actions/notify/README.md).';
const CHANNEL_KEYS = ['phases', 'template', 'components'];

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Reads the channels file and every template it names, and checks them, before anything is sent: a
 * channel, phase or placeholder that does not exist, a template outside the repository or not JSON.
 */
export async function readChannelsFile(path: string, workspace: string): Promise<ChannelsFile> {
  const display = relative(workspace, path) || path;
  const bad = (problem: string, fix = FIX) => new InputError('channels', `${display}: ${problem}`, fix);
  if (!inside(workspace, path))
    throw bad('is outside the repository', 'Give a file of the repository checkout.');
  const { data } = await readStructured(path, 'channels', display);
  if (!isPlainObject(data)) throw bad('must hold an object with a "channels" map');
  const unknown = Object.keys(data).find((k) => k !== 'channels');
  if (unknown) throw bad(`unknown key ${JSON.stringify(unknown)}`);
  if (!isPlainObject(data.channels) || Object.keys(data.channels).length === 0)
    throw bad('"channels" must map at least one channel (slack, teams, webhook, statuspage) to its settings');
  const channels: ChannelConfig[] = [];
  for (const [name, raw] of Object.entries(data.channels)) {
    if (!(CHANNEL_NAMES as readonly string[]).includes(name))
      throw bad(`unknown channel ${JSON.stringify(name)}; the channels are ${CHANNEL_NAMES.join(', ')}`);
    const channel = name as ChannelName;
    const settings = raw ?? {};
    if (!isPlainObject(settings)) throw bad(`channels.${name} must be an object (or empty)`);
    const extra = Object.keys(settings).find((k) => !CHANNEL_KEYS.includes(k));
    if (extra)
      throw bad(
        `channels.${name} has an unknown key ${JSON.stringify(extra)}; it takes ${CHANNEL_KEYS.join(', ')}`,
      );
    let phases: readonly Phase[] = CHANNELS[channel].phases;
    if (settings.phases !== undefined) {
      if (
        !Array.isArray(settings.phases) ||
        settings.phases.some((p) => !(NOTIFY_PHASES as readonly unknown[]).includes(p))
      )
        throw bad(`channels.${name}.phases must be a list of ${NOTIFY_PHASES.join(', ')}`);
      phases = settings.phases as Phase[];
    }
    const components = settings.components ?? [];
    if (!Array.isArray(components) || components.some((c) => typeof c !== 'string' || !/^\w{1,64}$/.test(c)))
      throw bad(`channels.${name}.components must be a list of Statuspage component ids`);
    if (components.length > 0 && channel !== 'statuspage')
      throw bad(`channels.${name}.components is for statuspage only`);
    let template: Template = CHANNELS[channel].template;
    let templateFile = '';
    if (settings.template !== undefined) {
      if (typeof settings.template !== 'string' || settings.template.trim() === '')
        throw bad(`channels.${name}.template must be the path of a JSON file in the repository`);
      templateFile = settings.template.trim();
      template = await readTemplate(workspace, templateFile, bad);
    }
    const unknownPlaceholder = placeholdersIn(template).find((p) => !PLACEHOLDER_NAMES.includes(p));
    if (unknownPlaceholder)
      throw bad(
        `${templateFile || `the ${name} template`} names the placeholder {{${unknownPlaceholder}}}, which does not exist`,
        `Use only ${PLACEHOLDER_NAMES.map((p) => `{{${p}}}`).join(', ')}.`,
      );
    channels.push({ name: channel, phases, template, templateFile, components: components as string[] });
  }
  return { display, channels };
}

async function readTemplate(
  workspace: string,
  file: string,
  bad: (problem: string, fix?: string) => InputError,
): Promise<Template> {
  const path = resolve(workspace, file);
  const fix = 'Give a JSON file committed in the repository, relative to its root.';
  if (isAbsolute(file) || !inside(workspace, path))
    throw bad(`the template ${file} is outside the repository`, fix);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw bad(`the template ${file} cannot be read (no such file, or a folder)`, fix);
  }
  return (await parseStructured(file, text, 'channels')).data;
}
