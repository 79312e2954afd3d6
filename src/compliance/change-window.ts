import { InputError } from '../errors.js';
import { quoteValue } from '../runner/inputs.js';

/**
 * The maintenance window: a daily span of wall-clock time in an IANA time zone, e.g. 02:00-06:00 in
 * America/Sao_Paulo, or 22:00-02:00 (crossing midnight). All zone arithmetic goes through Intl, so
 * daylight-saving rules come from the runtime's time zone database, never from tables kept here.
 *
 * On a day whose clocks change, the window is the span during which the clock reads between start and
 * end: it opens the first moment the clock shows `start` (or the first moment after it, when clocks
 * jump over it) and closes the last moment the clock shows `end` (or when clocks jump over it).
 */
export interface WindowSpec {
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  /** As the user wrote it, normalised to HH:MM-HH:MM. */
  text: string;
}

export interface ChangeWindowRequest {
  window: WindowSpec;
  timezone: string;
  now: Date;
  expectedDurationMs: number;
  maxDurationMs: number;
}

/** The facts judged by builtin:change-window, under /change/window. */
export interface ChangeWindowFacts {
  spec: string;
  start: string;
  end: string;
  timezone: string;
  crossesMidnight: boolean;
  /** When the check ran (UTC) and the wall-clock time in the zone then. */
  checkedAt: string;
  localTime: string;
  utcOffset: string;
  inside: boolean;
  /** The window occurrence the deploy starts in, or the next one when outside (UTC). */
  opensAt: string;
  closesAt: string;
  opensAtLocal: string;
  closesAtLocal: string;
  expectedDurationMinutes: number;
  maxDurationMinutes: number;
  expectedEnd: string;
  expectedEndLocal: string;
  endsInside: boolean;
  withinMaxDuration: boolean;
}

/** The playbook's maintenance window, 02:00-06:00 BRT: the default of every action that judges it. */
export const DEFAULT_WINDOW = '02:00-06:00';
export const DEFAULT_TIMEZONE = 'America/Sao_Paulo';

const MINUTE = 60_000;
const DAY = 86_400_000;

export function parseWindow(input: string, raw: string): WindowSpec {
  const match = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(raw);
  const fix = `Write ${input} as HH:MM-HH:MM in 24-hour time, e.g. 02:00-06:00 (or 22:00-02:00 across midnight).`;
  if (!match) throw new InputError(input, `${quoteValue(raw)} is not a time range`, fix);
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  // 24:00 is accepted as an end of day.
  const valid = (h: number, m: number, end: boolean) => (h < 24 && m < 60) || (end && h === 24 && m === 0);
  if (!valid(h1, m1, false) || !valid(h2, m2, true)) {
    throw new InputError(
      input,
      `${quoteValue(raw)} is not a valid time range (hours 00-23, minutes 00-59)`,
      fix,
    );
  }
  const startMinute = h1 * 60 + m1;
  const endMinute = (h2 * 60 + m2) % (24 * 60);
  // 00:00-24:00 is the whole day (every occurrence closes as the next opens): for what has no window,
  // such as an emergency rollback's sign-off.
  if (startMinute === 0 && h2 === 24) return { startMinute: 0, endMinute: 0, text: '00:00-24:00' };
  if (startMinute === endMinute) {
    throw new InputError(input, `${quoteValue(raw)} starts and ends at the same time`, fix);
  }
  return { startMinute, endMinute, text: `${hhmm(startMinute)}-${hhmm(endMinute)}` };
}

export function assertTimezone(input: string, raw: string): string {
  const zone = raw.trim();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new InputError(
      input,
      `${quoteValue(raw)} is not a time zone this runtime knows`,
      `Set ${input} to an IANA time zone name, e.g. America/Sao_Paulo.`,
    );
  }
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The zone's wall-clock time at `instant`, as milliseconds of a UTC date with the same fields. */
function wallClock(instant: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (((instant % 1000) + 1000) % 1000);
}

/** UTC offset at `instant`, in milliseconds (east positive). */
function offsetAt(instant: number, timezone: string): number {
  return wallClock(instant, timezone) - instant;
}

/**
 * The instants at which the clock reads `wall` (milliseconds of a UTC date with the wall fields): none in
 * a gap, two in an overlap. Offsets one day either side cover both sides of any transition near it.
 */
function instantsOf(wall: number, timezone: string): number[] {
  const offsets = new Set([offsetAt(wall - DAY, timezone), offsetAt(wall + DAY, timezone)]);
  const found = [...offsets].map((o) => wall - o).filter((t) => wallClock(t, timezone) === wall);
  return [...new Set(found)].sort((a, b) => a - b);
}

/** The first instant whose wall clock reads `wall` or later: in a gap, the moment clocks jump. */
function firstAtOrAfter(wall: number, timezone: string): number {
  const exact = instantsOf(wall, timezone);
  if (exact.length > 0) return exact[0] as number;
  const offsets = [offsetAt(wall - DAY, timezone), offsetAt(wall + DAY, timezone)];
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  // Invariant: wallClock(lo) < wall <= wallClock(hi). Offsets are whole minutes or seconds.
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallClock(mid, timezone) < wall) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The last instant whose wall clock reads `wall` (the later one in an overlap); in a gap, the jump. */
function lastAt(wall: number, timezone: string): number {
  const exact = instantsOf(wall, timezone);
  return exact.length > 0 ? (exact[exact.length - 1] as number) : firstAtOrAfter(wall, timezone);
}

interface Occurrence {
  opens: number;
  closes: number;
}

/** The window that opens on the local date whose midnight (as wall milliseconds) is `dayWall`. */
function occurrence(dayWall: number, spec: WindowSpec, timezone: string): Occurrence {
  const endDay = spec.endMinute > spec.startMinute ? dayWall : dayWall + DAY;
  return {
    opens: firstAtOrAfter(dayWall + spec.startMinute * MINUTE, timezone),
    closes: lastAt(endDay + spec.endMinute * MINUTE, timezone),
  };
}

function localText(instant: number, timezone: string): string {
  return new Date(wallClock(instant, timezone)).toISOString().slice(0, 16).replace('T', ' ');
}

function offsetText(instant: number, timezone: string): string {
  const minutes = Math.round(offsetAt(instant, timezone) / MINUTE);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${hhmm(abs)}`;
}

/** Whether a deploy starting at `now` starts and ends inside the window, as facts for the policy. */
export function evaluateChangeWindow(req: ChangeWindowRequest): ChangeWindowFacts {
  const { window: spec, timezone } = req;
  const now = req.now.getTime();
  const today = Math.floor(wallClock(now, timezone) / DAY) * DAY;
  const occurrences = [-1, 0, 1, 2].map((d) => occurrence(today + d * DAY, spec, timezone));
  const current = occurrences.find((o) => o.opens <= now && now < o.closes);
  const window = current ?? occurrences.find((o) => o.opens > now) ?? (occurrences[3] as Occurrence);
  const expectedEnd = now + req.expectedDurationMs;
  const iso = (t: number) => new Date(t).toISOString();
  return {
    spec: spec.text,
    start: hhmm(spec.startMinute),
    end: hhmm(spec.endMinute),
    timezone,
    crossesMidnight: spec.endMinute < spec.startMinute,
    checkedAt: iso(now),
    localTime: localText(now, timezone),
    utcOffset: offsetText(now, timezone),
    inside: current !== undefined,
    opensAt: iso(window.opens),
    closesAt: iso(window.closes),
    opensAtLocal: localText(window.opens, timezone),
    closesAtLocal: localText(window.closes, timezone),
    expectedDurationMinutes: Math.round(req.expectedDurationMs / MINUTE),
    maxDurationMinutes: Math.round(req.maxDurationMs / MINUTE),
    expectedEnd: iso(expectedEnd),
    expectedEndLocal: localText(expectedEnd, timezone),
    endsInside: current !== undefined && expectedEnd <= current.closes,
    withinMaxDuration: req.expectedDurationMs <= req.maxDurationMs,
  };
}
