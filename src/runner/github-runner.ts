import { randomUUID } from 'node:crypto';
// The toolkit's own workflow-command, file-command and summary modules, imported by path. The package
// entry (@actions/core's core.js) also evaluates its OIDC client, @actions/http-client with undici, and
// @actions/exec at load time: measured at 87 ms on top of a 40 ms bare Node start, for code these actions
// never call. The runner protocol itself is all in these three small modules.
import { issue, issueCommand } from '../../node_modules/@actions/core/lib/command.js';
import {
  issueFileCommand,
  prepareKeyValueMessage,
} from '../../node_modules/@actions/core/lib/file-command.js';
import { summary } from '../../node_modules/@actions/core/lib/summary.js';
import type { AnnotationTarget, Runner } from './runner.js';

function annotationProperties(target: AnnotationTarget | undefined): Record<string, string | number> {
  const props: Record<string, string | number> = {};
  if (target?.title) props.title = target.title;
  if (target?.file) props.file = target.file;
  if (target?.startLine) props.line = target.startLine;
  return props;
}

/**
 * A log line that the runner cannot read as a workflow command. Values reach the log inside messages (a
 * tool's output, a name with a line break); a line of them starting with `::` or `##[` would otherwise
 * set an output, add a mask or raise an annotation. Such messages go between stop-commands markers,
 * which the runner does not show, so the text reads exactly as written.
 */
export function plainLog(message: string): string {
  if (!/^\s*(::|##\[)/m.test(message)) return `${message}\n`;
  const token = randomUUID();
  return `::stop-commands::${token}\n${message}\n::${token}::\n`;
}

/** The one adapter between the core and the runner: inputs, outputs, masks, annotations, summary, state. */
export function githubRunner(): Runner {
  return {
    // Same name mangling as the toolkit's getInput: spaces to underscores, upper case, dashes kept.
    input: (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
    setOutput: (name, value) => {
      if (process.env.GITHUB_OUTPUT) issueFileCommand('OUTPUT', prepareKeyValueMessage(name, String(value)));
      else issueCommand('set-output', { name }, String(value));
    },
    setSecret: (value) => {
      if (value) issueCommand('add-mask', {}, value);
    },
    info: (message) => process.stdout.write(plainLog(message)),
    debug: (message) => issueCommand('debug', {}, message),
    notice: (message, target) => issueCommand('notice', annotationProperties(target), message),
    warning: (message, target) => issueCommand('warning', annotationProperties(target), message),
    error: (message, target) => issueCommand('error', annotationProperties(target), message),
    group: async (name, fn) => {
      issue('group', name);
      try {
        return await fn();
      } finally {
        issue('endgroup');
      }
    },
    appendSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await summary.addRaw(markdown, true).write();
      summary.emptyBuffer();
    },
    saveState: (name, value) => {
      if (process.env.GITHUB_STATE) issueFileCommand('STATE', prepareKeyValueMessage(name, value));
      else issueCommand('save-state', { name }, value);
    },
    env: process.env,
  };
}
