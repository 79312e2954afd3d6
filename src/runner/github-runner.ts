import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import type { AnnotationTarget, Runner } from './runner.js';

function annotationProperties(target: AnnotationTarget | undefined): core.AnnotationProperties {
  const props: core.AnnotationProperties = {};
  if (target?.title) props.title = target.title;
  if (target?.file) props.file = target.file;
  if (target?.startLine) props.startLine = target.startLine;
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

/**
 * What to mask for a secret: the value, and each line of a multi-line one (an age identity file, a
 * PEM key), as the runner masks a multi-line secret, since logs are masked line by line and a line of
 * it alone would otherwise show. Lines shorter than 8 characters (blank, `-----`) are too common to mask.
 */
export function masksOf(value: string): string[] {
  if (!value) return [];
  const lines = value
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && l !== value);
  return [...new Set([value, ...lines])];
}

/** The one adapter between the core and the runner: inputs, outputs, masks, annotations, summary, state. */
export function githubRunner(): Runner {
  return {
    input: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, String(value)),
    setSecret: (value) => {
      for (const mask of masksOf(value)) core.setSecret(mask);
    },
    info: (message) => process.stdout.write(plainLog(message)),
    debug: (message) => core.debug(message),
    notice: (message, target) => core.notice(message, annotationProperties(target)),
    warning: (message, target) => core.warning(message, annotationProperties(target)),
    error: (message, target) => core.error(message, annotationProperties(target)),
    group: (name, fn) => core.group(name, fn),
    appendSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
      core.summary.emptyBuffer();
    },
    saveState: (name, value) => core.saveState(name, value),
    env: process.env,
  };
}
