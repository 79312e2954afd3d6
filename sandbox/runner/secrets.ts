import type { Dirent } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ActionRun } from './types.js';
import { parseCommandLine, splitLines } from './workflow-commands.js';

export interface SecretLeak {
  secret: string;
  /** 'stdout', 'stderr', 'output:<name>', 'summary' or 'file:<path relative to the scanned dir>'. */
  where: string;
}

export interface LeakScanOptions {
  /** Files under runnerTemp that may hold secrets: paths relative to it, or patterns matched against those. */
  allow?: (string | RegExp)[];
  /** More directories to scan as well as runnerTemp (e.g. the workspace, when it is uploaded). */
  dirs?: string[];
}

/**
 * The forms in which a secret would be recognisable: as is, percent-encoded (a password inside a
 * URL) and base64 (a basic-auth header or an encoded config blob).
 */
function variants(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])];
}

function contains(haystack: string | Buffer, secret: string): boolean {
  return variants(secret).some((v) => haystack.includes(v));
}

function listFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return listFiles(full);
    return e.isFile() ? [full] : [];
  });
}

function allowed(rel: string, allow: (string | RegExp)[]): boolean {
  return allow.some((a) => (typeof a === 'string' ? a === rel : a.test(rel)));
}

/**
 * A secret and, when it spans lines, each line of it of 8 characters or more: the runner masks a log
 * line by line, so a line of an identity file or PEM key logged alone is a leak of its own.
 */
export function secretParts(secret: string): string[] {
  const lines = secret
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8);
  return [...new Set([secret, ...(lines.length > 1 ? lines : [])])];
}

/**
 * The parts of `secrets` (see secretParts) that no `::add-mask::` registered: what the run page would
 * show if they reached the log. The runner masks an add-mask value as a whole, never line by line.
 */
export function unmaskedSecrets(run: ActionRun, secrets: string[]): string[] {
  const masks = new Set(run.masks);
  return secrets.flatMap(secretParts).filter((part) => !masks.has(part));
}

/** Every place a secret shows up. The `::add-mask::` lines that register secrets do not count. */
export function findSecretLeaks(run: ActionRun, secrets: string[], opts: LeakScanOptions = {}): SecretLeak[] {
  if (secrets.some((s) => s === '')) throw new Error('leakedSecrets: an empty string is not a secret');
  const stdout = splitLines(run.stdout)
    .filter((line) => parseCommandLine(line)?.command !== 'add-mask')
    .join('\n');
  const texts: [string, string][] = [
    ['stdout', stdout],
    ['stderr', run.stderr],
    ['summary', run.summary],
    ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output:${name}`, value]),
  ];
  const files: [string, Buffer][] = [];
  for (const dir of [run.runnerTemp, ...(opts.dirs ?? [])]) {
    for (const file of listFiles(dir)) {
      const rel = relative(dir, file);
      if (dir === run.runnerTemp && allowed(rel, opts.allow ?? [])) continue;
      files.push([`file:${rel}`, readFileSync(file)]);
    }
  }
  const leaks: SecretLeak[] = [];
  for (const secret of secrets) {
    for (const [where, text] of [...texts, ...files]) {
      if (secretParts(secret).some((part) => contains(text, part))) leaks.push({ secret, where });
    }
  }
  return leaks;
}

/** Which of `secrets` appear in stdout, stderr, outputs, the summary or a file under runnerTemp. */
export function leakedSecrets(run: ActionRun, secrets: string[], opts: LeakScanOptions = {}): string[] {
  return [...new Set(findSecretLeaks(run, secrets, opts).map((l) => l.secret))];
}
