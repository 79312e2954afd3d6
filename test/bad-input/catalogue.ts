/**
 * The bad-input catalogue: every input of every action (read from its action.yml) crossed with the bad
 * values of the kinds that fit it. The per-input kind table is the only hand-written part; the catalogue
 * test checks it names exactly the inputs action.yml declares, so a new input cannot go untested.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../sandbox/runner/run-action.js';

export const ACTIONS = [
  'policy-gate',
  'compliance-gate',
  'approval-check',
  'db-migrate-backup',
  'post-validate',
  'preflight-check',
  'rollback',
  'vercel-deploy',
] as const;
export type ActionName = (typeof ACTIONS)[number];

export const actionYml = (action: ActionName) =>
  action === 'policy-gate' ? join(REPO_ROOT, 'action.yml') : join(REPO_ROOT, 'actions', action, 'action.yml');
export const bundle = (action: ActionName) =>
  action === 'policy-gate' ? 'dist/index.js' : `actions/${action}/dist/index.js`;

/** What an input holds, which decides the bad values it is given. */
export type InputKind =
  | { type: 'file' } // a file the action reads (JSON, YAML, lcov…)
  | { type: 'files' } // files or globs, one per line
  | { type: 'policies' }
  | { type: 'out' } // a file the action writes
  | { type: 'folder' } // a folder the action reads
  | { type: 'out-folder' } // a folder the action writes into
  | { type: 'url' }
  | { type: 'url-list' } // name=url lines
  | { type: 'db-url' }
  | { type: 'secret' }
  | { type: 'text' } // a name or id on one line
  | { type: 'enum' }
  | { type: 'bool' }
  | { type: 'int'; min: number; max: number }
  | { type: 'duration'; zeroOk?: boolean }
  | { type: 'command' }
  | { type: 'format'; malformed: string[] }; // anything with a grammar of its own

const file = { type: 'file' } as const;
const files = { type: 'files' } as const;
const policies = { type: 'policies' } as const;
const out = { type: 'out' } as const;
const url = { type: 'url' } as const;
const secret = { type: 'secret' } as const;
const text = { type: 'text' } as const;
const enumeration = { type: 'enum' } as const;
const bool = { type: 'bool' } as const;
const dbUrl = { type: 'db-url' } as const;
const format = (...malformed: string[]) => ({ type: 'format', malformed }) as const;
const int = (min: number, max: number) => ({ type: 'int', min, max }) as const;
const duration = (zeroOk = false) => ({ type: 'duration', zeroOk }) as const;

const WAIVER_APPROVERS = { 'waiver-approvers': file, 'waiver-approvers-token': secret } as const;

const GATE = {
  policies,
  waivers: file,
  ...WAIVER_APPROVERS,
  'fail-on': enumeration,
  mode: enumeration,
  'report-file': out,
  'sarif-file': out,
  'junit-file': out,
} as const;

export const INPUT_KINDS: Record<ActionName, Record<string, InputKind>> = {
  'policy-gate': { ...GATE, facts: files },
  'compliance-gate': {
    ...GATE,
    manifest: file,
    facts: files,
    'change-window': format('25:00-26:00', '02:00', 'soon'),
    timezone: format('Mars/Olympus_Mons'),
    'max-duration': duration(),
    'expected-duration': duration(),
    'clock-override': format('yesterday', '2026-03-10', '2026-03-10T05:30:00', '2026-13-40T99:00:00Z'),
    'evidence-file': out,
  },
  'approval-check': {
    'github-token': secret,
    environment: text,
    'approval-job': text,
    'change-window': format('25:00-26:00', '02:00', 'soon'),
    timezone: format('Mars/Olympus_Mons'),
    'max-approval-age': duration(),
    'sign-off': file,
    'evidence-file': out,
  },
  'db-migrate-backup': {
    ...GATE,
    'database-url': dbUrl,
    'working-directory': { type: 'folder' },
    migrate: enumeration,
    'migrate-command': { type: 'command' },
    jobs: int(1, 64),
    compression: int(0, 9),
    verify: enumeration,
    encryption: enumeration,
    'backup-recipients': format('age1short', 'ssh-rsa AAAA'),
    'backup-identity': format('not-an-identity', 'age1abc'),
    'encryption-key': secret,
    'backup-storage': enumeration,
    'backup-path': { type: 'out-folder' },
    'retention-days': int(1, 90),
    'github-token': secret,
    'dry-run': bool,
  },
  'post-validate': {
    policies,
    waivers: file,
    ...WAIVER_APPROVERS,
    'fail-on': enumeration,
    'report-file': out,
    'sarif-file': out,
    'junit-file': out,
    'base-url': url,
    'production-url': url,
    'api-host-url': url,
    'protection-bypass': secret,
    checks: file,
    'bearer-token': secret,
    samples: int(1, 1000),
    interval: duration(true),
    'initial-delay': duration(true),
    concurrency: int(0, 100),
    timeout: duration(),
    thresholds: format('all: p95<=banana', 'nonsense', 'check:x: p95<=-5'),
    'failure-limit': int(0, 1000),
    'consecutive-error-limit': int(0, 1000),
    'fail-on-unhealthy': bool,
    'facts-file': out,
  },
  'preflight-check': {
    ...GATE,
    'protected-environment': text,
    endpoints: { type: 'url-list' },
    'monitoring-endpoints': { type: 'url-list' },
    'expect-status': format('7xx', 'ok', '99999'),
    'expect-json': format('{not json', '[]', '{"/status": 5}'),
    timeout: duration(),
    retries: int(0, 10),
    'tls-hosts': format('host:99999', 'https://x.example/path', 'a b'),
    'tls-min-days': int(0, 3650),
    'database-url': dbUrl,
    'coverage-file': file,
    'sarif-files': files,
    'github-token': secret,
    'vercel-token': secret,
    'vercel-project': text,
    'vercel-team': text,
    'vercel-api-url': url,
    'required-env': format('1BAD NAME', 'A=B'),
    'backup-manifest': file,
    'facts-file': out,
    'extra-facts': files,
  },
  rollback: {
    'vercel-token': secret,
    'vercel-project': text,
    'vercel-team': text,
    'api-url': url,
    'previous-deployment-id': text,
    'failed-deployment-id': text,
    'alias-timeout': duration(),
    'database-url': dbUrl,
    'backup-id': text,
    'vercel-api-url': url,
    'backup-location': format('nowhere:x', 'path:relative/dir', 'artifact:'),
    'backup-storage': enumeration,
    'encryption-key': format('age1short', 'AGE-SECRET-KEY-1XYZ'),
    'backup-identity': format('not-an-identity', 'age1abc'),
    'restore-database': enumeration,
    'migrations-applied': format('perhaps', '[unclosed', '{"a":1}'),
    'allow-data-loss': bool,
    'timestamp-columns': format('bad column;drop', '"x'),
    hooks: { type: 'command' },
    'verify-url': url,
    'verify-api-url': url,
    checks: file,
    'github-token': secret,
    'github-environment': text,
    'github-deployment-id': format('abc', '-1', '1.5'),
    incident: format('issue-twelve', 'https://example.com/not/an/issue', '0'),
    'notify-webhook': url,
    // Free text for people: any character but a line break is fine in it.
    reason: format(),
  },
  'vercel-deploy': {
    'vercel-token': secret,
    'vercel-project': text,
    'vercel-team': text,
    'api-url': url,
    'vercel-api-url': url,
    'working-directory': { type: 'folder' },
    prebuilt: bool,
    target: enumeration,
    promote: bool,
    'deployment-id': text,
    'alias-check': bool,
    timeout: duration(),
    'sri-manifest': out,
    'sri-globs': format('../../../../etc/*', '/etc/passwd'),
    'github-environment': text,
    'github-token': secret,
  },
};

/** The bad values' kinds the issue names; every case is one of them. */
export type ValueKind =
  | 'empty'
  | 'wrong-type'
  | 'out-of-range'
  | 'missing-path'
  | 'dir-path'
  | 'unwritable-path'
  | 'traversal'
  | 'huge'
  | 'malformed'
  | 'bad-scheme'
  | 'metacharacters'
  | 'line-break';

export interface BadValue {
  kind: ValueKind;
  value: string;
}

/** Files every baseline workspace has, for the path kinds to point at. */
export const WORKSPACE_FIXTURES: Record<string, string> = {
  'malformed.json': '{"unterminated": [1, 2',
  'a-file.txt': 'plain text\n',
  'empty-dir/.keep': '',
  'out-dir/.keep': '',
};

const HUGE = 'x'.repeat(20_000);
// A value that, logged raw, starts a workflow command on its own line.
const LINE_BREAK = 'value\n::warning::injected by an input';
const TRAVERSAL_IN = '../../../../../../../../etc/passwd';
// Relative to the case's workspace: lands in the watched folder above it.
const TRAVERSAL_OUT = '../escaped.json';

export function badValues(kind: InputKind, required: boolean): BadValue[] {
  const common: BadValue[] = [
    { kind: 'line-break', value: LINE_BREAK },
    { kind: 'huge', value: HUGE },
  ];
  if (required) common.unshift({ kind: 'empty', value: '' });
  const more = (...values: [ValueKind, string][]) => [
    ...values.map(([k, value]) => ({ kind: k, value })),
    ...common,
  ];
  switch (kind.type) {
    case 'file':
      return more(
        ['missing-path', 'no/such/file.json'],
        ['dir-path', 'empty-dir'],
        ['traversal', TRAVERSAL_IN],
        ['malformed', 'malformed.json'],
      );
    case 'files':
      return more(
        ['missing-path', 'no/such/file.json'],
        ['dir-path', 'empty-dir'],
        ['traversal', TRAVERSAL_IN],
        ['malformed', 'malformed.json'],
      );
    case 'policies':
      return more(
        ['missing-path', 'no/such/policy.json'],
        ['dir-path', 'empty-dir'],
        ['traversal', TRAVERSAL_IN],
        ['malformed', 'malformed.json'],
        ['wrong-type', 'builtin:no-such-policy'],
      );
    case 'out':
      return more(
        ['dir-path', 'out-dir'],
        ['unwritable-path', 'a-file.txt/report.json'],
        ['traversal', TRAVERSAL_OUT],
      );
    case 'folder':
      return more(
        ['missing-path', 'no/such/folder'],
        ['wrong-type', 'a-file.txt'],
        ['traversal', '../../../../../../../../etc'],
      );
    case 'out-folder':
      return more(['wrong-type', 'a-file.txt'], ['unwritable-path', '/proc/deploy-gates-backups']);
    case 'url':
      return more(
        ['bad-scheme', 'file:///etc/passwd'],
        ['bad-scheme', 'javascript:alert(1)'],
        ['malformed', 'not a url'],
      );
    case 'url-list':
      return more(['bad-scheme', 'staging=file:///etc/passwd'], ['malformed', 'staging']);
    case 'db-url':
      return more(
        ['bad-scheme', 'mysql://user:pw@127.0.0.1/db'],
        ['malformed', 'postgresql://[broken'],
        ['out-of-range', 'postgresql://u:p@127.0.0.1:99999/db'],
      );
    case 'secret':
      return more(['metacharacters', 'tok en"$(id)']);
    case 'text':
      return more(['metacharacters', '../../x?y=$(id)#`id`']);
    case 'enum':
      return more(['wrong-type', 'maybe']);
    case 'bool':
      return more(['wrong-type', 'maybe']);
    case 'int':
      return more(
        ['wrong-type', 'many'],
        ['out-of-range', String(kind.min - 1)],
        ['out-of-range', String(kind.max + 1)],
        ['malformed', '1.5'],
      );
    case 'duration':
      return more(
        ['malformed', 'soon'],
        ['out-of-range', '99999999999h'],
        ...(kind.zeroOk ? [] : ([['out-of-range', '0s']] as [ValueKind, string][])),
        ['wrong-type', '-5s'],
      );
    case 'command':
      return more(
        ['metacharacters', 'node -e "unterminated'],
        ['missing-path', 'no-such-program-xyz --flag'],
      );
    case 'format':
      return more(...kind.malformed.map((v) => ['malformed', v] as [ValueKind, string]));
  }
}

export interface DeclaredInput {
  name: string;
  required: boolean;
  default: string | undefined;
}

/** The inputs an action.yml declares, in its order. */
export function declaredInputs(action: ActionName): DeclaredInput[] {
  const doc = parse(readFileSync(actionYml(action), 'utf8')) as {
    inputs?: Record<string, { required?: boolean; default?: unknown }>;
  };
  return Object.entries(doc.inputs ?? {}).map(([name, spec]) => ({
    name,
    required: spec?.required === true,
    default: spec?.default === undefined ? undefined : String(spec.default),
  }));
}

export interface Case {
  id: string;
  action: ActionName;
  input: string;
  kind: ValueKind;
  value: string;
}

/** Every input of every action × its bad values, in a stable order. */
export function catalogue(): Case[] {
  const cases: Case[] = [];
  for (const action of ACTIONS) {
    for (const spec of declaredInputs(action)) {
      const kind = INPUT_KINDS[action][spec.name];
      if (!kind) throw new Error(`${action}: input ${spec.name} has no kind in INPUT_KINDS`);
      const seen = new Map<string, number>();
      for (const bad of badValues(kind, spec.required)) {
        const n = (seen.get(bad.kind) ?? 0) + 1;
        seen.set(bad.kind, n);
        const id = `${action} ${spec.name} ${bad.kind}${n > 1 ? `#${n}` : ''}`;
        cases.push({ id, action, input: spec.name, kind: bad.kind, value: bad.value });
      }
    }
  }
  return cases;
}
