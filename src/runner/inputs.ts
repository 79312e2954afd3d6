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
    `"${raw}" is not one of ${allowed.join(', ')}`,
    `Set ${input} to one of: ${allowed.join(', ')}.`,
  );
}

export function parseBoolean(input: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw new InputError(input, `"${raw}" is not a boolean`, `Set ${input} to true or false.`);
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
      `"${raw}" is not a whole number`,
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

/** `1500ms`, `30s`, `5m`, `4h`, or a bare number of seconds. Returns milliseconds. */
export function parseDuration(input: string, raw: string, fallbackMs: number): number {
  const value = raw.trim();
  if (value === '') return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value);
  if (!match?.[1]) {
    throw new InputError(
      input,
      `"${raw}" is not a duration`,
      `Write ${input} as a number with a unit, e.g. 500ms, 30s, 5m or 4h.`,
    );
  }
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1000));
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
