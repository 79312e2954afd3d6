/**
 * What a rollback remembers between attempts of the same run, kept inside the incident issue (the one
 * place that outlives a killed runner): which hooks already ran, which notifications were delivered, and
 * what each attempt found. Hooks and webhooks are the only effects whose state cannot be read back from
 * the world, so they are journalled here: started before, finished after.
 */
export type HookState = 'started' | 'done' | 'failed';

export interface HookEntry {
  index: number;
  /** Program name only: hook arguments may hold values that must not leave the runner. */
  program: string;
  state: HookState;
  attempt: number;
  at: string;
  exitCode?: number;
}

export interface NotificationEntry {
  attempt: number;
  /** Digest of what was said (statuses and facts, not timestamps): the same news is not sent twice. */
  digest: string;
  delivered: boolean;
  at: string;
}

export interface AttemptEntry {
  attempt: number;
  at: string;
  steps: Record<string, string>;
}

export interface Ledger {
  version: 1;
  runId: string;
  /** Keyed by `<index>:<sha256 of the line>`, so an edited hook list never matches an old entry. */
  hooks: Record<string, HookEntry>;
  notifications: NotificationEntry[];
  attempts: AttemptEntry[];
}

export function emptyLedger(runId: string): Ledger {
  return { version: 1, runId, hooks: {}, notifications: [], attempts: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v);

function isHookEntry(v: unknown): v is HookEntry {
  return (
    isObject(v) &&
    isInt(v.index) &&
    isString(v.program) &&
    (v.state === 'started' || v.state === 'done' || v.state === 'failed') &&
    isInt(v.attempt) &&
    isString(v.at) &&
    (v.exitCode === undefined || isInt(v.exitCode))
  );
}

function isNotification(v: unknown): v is NotificationEntry {
  return (
    isObject(v) &&
    isInt(v.attempt) &&
    isString(v.digest) &&
    typeof v.delivered === 'boolean' &&
    isString(v.at)
  );
}

function isAttempt(v: unknown): v is AttemptEntry {
  return (
    isObject(v) &&
    isInt(v.attempt) &&
    isString(v.at) &&
    isObject(v.steps) &&
    Object.values(v.steps).every(isString)
  );
}

/** The issue body is editable by people: a ledger is checked field by field before it is trusted. */
export function isLedger(v: unknown): v is Ledger {
  return (
    isObject(v) &&
    v.version === 1 &&
    isString(v.runId) &&
    isObject(v.hooks) &&
    Object.values(v.hooks).every(isHookEntry) &&
    Array.isArray(v.notifications) &&
    v.notifications.every(isNotification) &&
    Array.isArray(v.attempts) &&
    v.attempts.every(isAttempt)
  );
}
