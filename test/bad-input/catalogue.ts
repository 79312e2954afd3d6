/**
 * The bad-input catalogue: every input of every action, as the action declares it (src/inputs), crossed
 * with the bad values its kind and bounds call for. The examples of malformed values for inputs with a
 * grammar of their own are the only hand-written part; a new input cannot go untested.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../sandbox/runner/run-bundle.js';
import { ACTION_INPUTS, type ActionName } from '../../src/inputs/index.js';
import type { InputSpec } from '../../src/runner/declared-inputs.js';

export type { ActionName };
export const ACTIONS = Object.keys(ACTION_INPUTS) as ActionName[];

export const actionYml = (action: ActionName) =>
  action === 'policy-gate' ? join(REPO_ROOT, 'action.yml') : join(REPO_ROOT, 'actions', action, 'action.yml');
export const bundle = (action: ActionName) =>
  action === 'policy-gate' ? 'dist/index.js' : `actions/${action}/dist/index.js`;

/**
 * Bad values for the inputs with a grammar of their own (kind `format`), which the declaration cannot
 * derive; every other kind's bad values follow from its kind and bounds. Keyed `<action> <input>`; the
 * catalogue test checks the keys are exactly the declared `format` inputs.
 */
export const MALFORMED: Record<string, string[]> = {
  'compliance-gate change-window': ['25:00-26:00', '02:00', 'soon'],
  'compliance-gate timezone': ['Mars/Olympus_Mons'],
  'compliance-gate clock-override': [
    'yesterday',
    '2026-03-10',
    '2026-03-10T05:30:00',
    '2026-13-40T99:00:00Z',
  ],
  'approval-check change-window': ['25:00-26:00', '02:00', 'soon'],
  'approval-check timezone': ['Mars/Olympus_Mons'],
  'approval-check changing-jobs': ['db;deploy', 'deploy/../db', '$(id)'],
  'db-migrate-backup backup-recipients': ['age1short', 'ssh-rsa AAAA'],
  'db-migrate-backup backup-identity': ['not-an-identity', 'age1abc'],
  'post-validate thresholds': ['all: p95<=banana', 'nonsense', 'check:x: p95<=-5'],
  'watch thresholds': ['all: p95<=banana', 'nonsense', 'check:x: p95<=-5'],
  'preflight-check expect-status': ['7xx', 'ok', '99999'],
  'preflight-check expect-json': ['{not json', '[]', '{"/status": 5}'],
  'preflight-check tls-hosts': ['host:99999', 'https://x.example/path', 'a b'],
  'preflight-check required-env': ['1BAD NAME', 'A=B'],
  'rollback backup-location': ['nowhere:x', 'path:relative/dir', 'artifact:'],
  'rollback encryption-key': ['age1short', 'AGE-SECRET-KEY-1XYZ'],
  'rollback backup-identity': ['not-an-identity', 'age1abc'],
  'rollback migrations-applied': ['perhaps', '[unclosed', '{"a":1}'],
  'rollback timestamp-columns': ['bad column;drop', '"x'],
  'rollback incident': ['issue-twelve', 'https://example.com/not/an/issue', '0'],
  // Free text for people: any character but a line break is fine in it.
  'rollback reason': [],
  'vercel-deploy sri-globs': ['../../../../etc/*', '/etc/passwd'],
  'infra-change rollout-undo': ['web', 'deployment/../x', 'pod/web;id'],
  'notify stage-results': ['db', 'db=maybe', 'db;rm=success'],
  'notify scheduled-for': ['tomorrow', '2026-03-11', '2026-03-11T05:00:00'],
  // Free text for people: any character but a line break is fine in it.
  'notify message': [],
  'plan workflow-inputs': ['{not json', '["a list"]', '{"no-such-input": "x"}', '{"environment": {"a": 1}}'],
  'plan secrets-set': ['VERCEL_TOKEN=maybe', 'NO_SUCH_SECRET=true', 'VERCEL_TOKEN=true'],
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

export function badValues(
  spec: Pick<InputSpec, 'kind' | 'min' | 'max'>,
  required: boolean,
  malformed: string[] = [],
): BadValue[] {
  const common: BadValue[] = [
    { kind: 'line-break', value: LINE_BREAK },
    { kind: 'huge', value: HUGE },
  ];
  if (required) common.unshift({ kind: 'empty', value: '' });
  const more = (...values: [ValueKind, string][]) => [
    ...values.map(([k, value]) => ({ kind: k, value })),
    ...common,
  ];
  switch (spec.kind) {
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
        ['out-of-range', String((spec.min ?? 0) - 1)],
        ['out-of-range', String((spec.max ?? 0) + 1)],
        ['malformed', '1.5'],
      );
    case 'duration':
      return more(
        ['malformed', 'soon'],
        ['out-of-range', '99999999999h'],
        ...(spec.min === 0 ? [] : ([['out-of-range', '0s']] as [ValueKind, string][])),
        ['wrong-type', '-5s'],
      );
    case 'command':
      return more(
        ['metacharacters', 'node -e "unterminated'],
        ['missing-path', 'no-such-program-xyz --flag'],
      );
    case 'format':
      return more(...malformed.map((v) => ['malformed', v] as [ValueKind, string]));
  }
}

export interface DeclaredInput {
  name: string;
  required: boolean;
  default: string | undefined;
}

/** The inputs an action declares (src/inputs), in their order. */
export function declaredInputs(action: ActionName): DeclaredInput[] {
  return Object.entries(ACTION_INPUTS[action] as Record<string, InputSpec>).map(([name, spec]) => ({
    name,
    required: spec.required === true,
    default: spec.default,
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
    for (const [name, spec] of Object.entries(ACTION_INPUTS[action] as Record<string, InputSpec>)) {
      const seen = new Map<string, number>();
      const malformed = MALFORMED[`${action} ${name}`] ?? [];
      for (const bad of badValues(spec, spec.required === true, malformed)) {
        const n = (seen.get(bad.kind) ?? 0) + 1;
        seen.set(bad.kind, n);
        const id = `${action} ${name} ${bad.kind}${n > 1 ? `#${n}` : ''}`;
        cases.push({ id, action, input: name, kind: bad.kind, value: bad.value });
      }
    }
  }
  return cases;
}
