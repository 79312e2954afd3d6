/**
 * Parses the workflow commands an action prints on stdout (`::name k=v,k=v::data`), the way the
 * runner's ActionCommand parser does, so tests see what the run page would show.
 */

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  /** Every property as sent (unescaped), including ones the runner ignores. */
  properties: Record<string, string>;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
}

export interface LogGroup {
  name: string;
  /** Log lines printed between `::group::` and `::endgroup::`. */
  lines: string[];
}

export interface ParsedStdout {
  /** Every command the runner recognises, in order. */
  commands: WorkflowCommand[];
  annotations: Annotation[];
  masks: string[];
  debug: string[];
  groups: LogGroup[];
  /** Lines that are not workflow commands: what the runner prints verbatim. */
  log: string[];
}

// The runner ignores `::foo::` lines for commands it does not know; they stay plain log lines.
const KNOWN_COMMANDS = new Set([
  'error',
  'warning',
  'notice',
  'debug',
  'add-mask',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
  'add-matcher',
  'remove-matcher',
  // Deprecated stdout forms of file commands; recorded so tests can assert an action never uses them.
  'set-output',
  'save-state',
  'set-env',
  'add-path',
]);

const DATA_ESCAPES: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n' };
const PROPERTY_ESCAPES: Record<string, string> = { ...DATA_ESCAPES, '%3A': ':', '%2C': ',' };

// One pass, so `%250A` decodes to `%0A` and not to a newline.
function unescapeData(value: string): string {
  return value.replace(/%25|%0D|%0A/g, (m) => DATA_ESCAPES[m] ?? m);
}

function unescapeProperty(value: string): string {
  return value.replace(/%25|%0D|%0A|%3A|%2C/g, (m) => PROPERTY_ESCAPES[m] ?? m);
}

/** One stdout line as a command, or undefined when the runner would print it as it is. */
export function parseCommandLine(rawLine: string): WorkflowCommand | undefined {
  const line = rawLine.trimStart();
  if (!line.startsWith('::')) return undefined;
  const end = line.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = line.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')) {
      const eq = pair.indexOf('=');
      // The runner drops a property without `=` or with an empty name or value.
      if (eq <= 0 || eq === pair.length - 1) continue;
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(line.slice(end + 2)) };
}

function toInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number.parseInt(value, 10);
}

function toAnnotation(level: AnnotationLevel, cmd: WorkflowCommand): Annotation {
  const p = cmd.properties;
  const annotation: Annotation = { level, message: cmd.data, properties: p };
  if (p.title !== undefined) annotation.title = p.title;
  if (p.file !== undefined) annotation.file = p.file;
  const numbers = { line: p.line, endLine: p.endLine, col: p.col, endColumn: p.endColumn } as const;
  for (const [key, raw] of Object.entries(numbers)) {
    const value = toInteger(raw);
    if (value !== undefined) annotation[key as keyof typeof numbers] = value;
  }
  return annotation;
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function parseWorkflowCommands(stdout: string): ParsedStdout {
  const result: ParsedStdout = { commands: [], annotations: [], masks: [], debug: [], groups: [], log: [] };
  let group: LogGroup | undefined;
  let stopToken: string | undefined;
  for (const line of splitLines(stdout)) {
    if (stopToken !== undefined) {
      // While commands are stopped only `::<token>::` resumes them; everything else is log.
      if (line.trim() === `::${stopToken}::`) {
        stopToken = undefined;
      } else {
        result.log.push(line);
        group?.lines.push(line);
      }
      continue;
    }
    const cmd = parseCommandLine(line);
    if (cmd === undefined || !KNOWN_COMMANDS.has(cmd.command)) {
      result.log.push(line);
      group?.lines.push(line);
      continue;
    }
    result.commands.push(cmd);
    switch (cmd.command) {
      case 'error':
      case 'warning':
      case 'notice':
        result.annotations.push(toAnnotation(cmd.command, cmd));
        break;
      case 'debug':
        result.debug.push(cmd.data);
        break;
      case 'add-mask':
        if (cmd.data.trim() !== '') result.masks.push(cmd.data);
        break;
      case 'group':
        group = { name: cmd.data, lines: [] };
        result.groups.push(group);
        break;
      case 'endgroup':
        group = undefined;
        break;
      case 'stop-commands':
        if (cmd.data !== '') stopToken = cmd.data;
        break;
    }
  }
  return result;
}
