import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** Raw inputs as a runner delivers them: trimmed strings, '' when unset. */
export type InputReader = (name: string) => string;

/** Newline- or comma-separated list; blank entries and `#` comment lines are dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Newline-only list, for values that may themselves contain commas (commands, URLs with queries). */
export function parseLines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

export function parseEnum<T extends string>(
  input: string,
  raw: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(
    input,
    `${quoteValue(raw)} is not one of ${allowed.join(', ')}`,
    `Set ${input} to one of: ${allowed.join(', ')}.`,
  );
}

export function parseBoolean(input: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw new InputError(input, `${quoteValue(raw)} is not a boolean`, `Set ${input} to true or false.`);
}

export function parseInteger(
  input: string,
  raw: string,
  fallback: number,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const value = raw.trim();
  if (value === '') return fallback;
  if (!/^-?\d+$/.test(value)) {
    throw new InputError(
      input,
      `${quoteValue(raw)} is not a whole number`,
      `Set ${input} to a whole number from ${min} to ${max}.`,
    );
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new InputError(
      input,
      `${n} is out of range`,
      `Set ${input} to a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DAY_MS = 24 * 3_600_000;

/** `90m`, `4h`: how a bound reads in an error message. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * `1500ms`, `30s`, `5m`, `4h`, or a bare number of seconds. Returns milliseconds. Bounded because Node's
 * timers turn anything past 2^31 ms into a 1 ms wait, and a 0 timeout would fail every call at once.
 */
export function parseDuration(
  input: string,
  raw: string,
  fallbackMs: number,
  { min = 1, max = DAY_MS }: { min?: number; max?: number } = {},
): number {
  const value = raw.trim();
  if (value === '') return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value);
  if (!match?.[1]) {
    throw new InputError(
      input,
      `${quoteValue(raw)} is not a duration`,
      `Write ${input} as a number with a unit, e.g. 500ms, 30s, 5m or 4h.`,
    );
  }
  const ms = Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1000));
  if (!(ms >= min && ms <= max)) {
    throw new InputError(
      input,
      `${quoteValue(raw)} is out of range`,
      `Set ${input} to a duration from ${formatDuration(min)} to ${formatDuration(max)}.`,
    );
  }
  return ms;
}

/** A value as an error message shows it: on one line, and shortened, so a 20 kB value is not echoed. */
export function quoteValue(raw: string, max = 80): string {
  const oneLine = JSON.stringify(raw.length > max ? `${raw.slice(0, max)}…` : raw);
  return raw.length > max ? `${oneLine} (${raw.length} characters)` : oneLine;
}

/** Workspace-relative or absolute path. */
export function resolvePath(workspace: string, path: string): string {
  return isAbsolute(path) ? path : resolve(workspace, path);
}

export function requireInput(input: string, raw: string, what: string): string {
  if (raw.trim() === '') {
    throw new InputError(input, 'is required but empty', `Set ${input} to ${what}.`);
  }
  return raw.trim();
}

/**
 * `value` as an absolute URL, or the caller's InputError when it is not one: the caller words it, since a
 * secret's value (a database URL with its password) must not be quoted back.
 */
export function urlOrInputError(input: string, value: string, problem: string, fix: string): URL {
  if (URL.canParse(value)) return new URL(value);
  throw new InputError(input, problem, fix);
}

/** An absolute http(s) URL. Other schemes (file:, javascript:, data:) never reach a client. */
export function parseHttpUrl(input: string, raw: string, what: string): URL {
  const value = raw.trim();
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new InputError(
      input,
      url
        ? `has the scheme "${url.protocol}", not http: or https:`
        : `${quoteValue(value)} is not an absolute URL`,
      `Set ${input} to ${what}, e.g. https://app.example.com.`,
    );
  }
  return url;
}

/**
 * A token or key sent in an HTTP header. A line break or other control character would end up in a
 * header (request smuggling) or a log line, so it is refused here; the value itself is never quoted.
 */
export function parseSecretToken(input: string, raw: string): string {
  const value = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f]/.test(value) || /\s/.test(value)) {
    throw new InputError(
      input,
      'contains a line break, space or control character',
      `Set ${input} to the token alone, without quotes, spaces or line breaks (check how the secret was stored).`,
    );
  }
  if (value.length > 4096) {
    throw new InputError(
      input,
      `is ${value.length} characters long`,
      `Set ${input} to a token (at most 4096 characters).`,
    );
  }
  return value;
}

/**
 * A passphrase typed into a secret. Spaces are fine in it, but a line break or control character is a
 * secret stored with the wrong bytes (the rollback, given the same secret, would then never match what
 * a corrected one opens), `$(…)`, `${…}` or a backtick is a command or expression stored instead of its
 * output, and a value longer than any passphrase is a file pasted by mistake. The value is never quoted.
 */
export function parsePassphrase(input: string, raw: string, { max = 1024 } = {}): string {
  const value = raw.trim();
  const fix = `Store the passphrase itself in the secret: one line of at most ${max} characters, without shell syntax such as $(…), \${…} or backticks.`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new InputError(input, 'contains a line break or control character', fix);
  if (value.length > max) throw new InputError(input, `is ${value.length} characters long`, fix);
  if (/\$\(|\$\{|`/.test(value))
    throw new InputError(
      input,
      `holds shell syntax ($(…), \${…} or a backtick) that was never run, so it is not the passphrase`,
      fix,
    );
  return value;
}

/** A name or id on one line: a line break in it could start a workflow command where it is logged. */
export function parseSingleLine(input: string, raw: string, { max = 256 } = {}): string {
  const value = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new InputError(
      input,
      `${quoteValue(value)} contains a line break or control character`,
      `Set ${input} to a single line.`,
    );
  }
  if (value.length > max) {
    throw new InputError(
      input,
      `${quoteValue(value)} is too long`,
      `Set ${input} to at most ${max} characters.`,
    );
  }
  return value;
}

/**
 * A name or id that goes into an API path or query (a project, a team, an environment): one line of
 * letters, digits, ".", "_" and "-" (and spaces where the service allows them), so that a value can
 * neither address another resource (`../`, `?`, `#`) nor start a workflow command where it is logged.
 */
export function parseName(input: string, raw: string, what: string, { spaces = false } = {}): string {
  const value = parseSingleLine(input, raw, { max: 100 });
  if (!(spaces ? /^[\w.\- ]*$/ : /^[\w.-]*$/).test(value)) {
    throw new InputError(
      input,
      `${quoteValue(value)} is not ${what}`,
      `Set ${input} to ${what}: letters, digits, ".", "_" and "-"${spaces ? ' and spaces' : ''} only.`,
    );
  }
  return value;
}
