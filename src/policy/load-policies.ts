import { existsSync, globSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { assertDocument } from './document-schemas.js';
import { builtinPoliciesDir } from './package-root.js';
import { readStructured } from './structured-file.js';
import type { LoadedPolicy, Policy } from './types.js';
import { checkWaiverLimits } from './waiver-limits.js';

const POLICY_EXTENSIONS = ['.json', '.yaml', '.yml'];
const BUILTIN = 'builtin:';

/** Policy files only: not their tests, not schemas. */
function isPolicyFile(path: string): boolean {
  return (
    POLICY_EXTENSIONS.some((ext) => path.endsWith(ext)) &&
    !/\.test\.(json|ya?ml)$/.test(path) &&
    !/\.schema\.json$/.test(path)
  );
}

function filesInDir(dir: string): string[] {
  return globSync('**/*', { cwd: dir })
    .map((f) => join(dir, f))
    .filter((f) => isPolicyFile(f) && statSync(f).isFile())
    .sort();
}

export function builtinNames(): string[] {
  const dir = builtinPoliciesDir();
  return filesInDir(dir).map((f) =>
    relative(dir, f)
      .split(sep)
      .join('/')
      .replace(/\.(json|ya?ml)$/, ''),
  );
}

function resolveBuiltin(spec: string, input: string): string[] {
  const name = spec.slice(BUILTIN.length).replace(/^\/+|\/+$/g, '');
  const dir = builtinPoliciesDir();
  const base = resolve(dir, name);
  if (name === '' || !base.startsWith(dir)) {
    throw new InputError(
      input,
      `"${spec}" does not name a builtin policy`,
      `Use one of: ${builtinNames()
        .map((n) => BUILTIN + n)
        .join(', ')}.`,
    );
  }
  for (const ext of POLICY_EXTENSIONS) if (existsSync(base + ext)) return [base + ext];
  if (existsSync(base) && statSync(base).isDirectory()) {
    const files = filesInDir(base);
    if (files.length > 0) return files;
  }
  throw new InputError(
    input,
    `there is no builtin policy "${name}"`,
    `Use one of: ${builtinNames()
      .map((n) => BUILTIN + n)
      .join(', ')}.`,
  );
}

function resolveWorkspace(spec: string, workspace: string, input: string): string[] {
  const isGlob = /[*?[\]{}]/.test(spec);
  if (!isGlob) {
    const path = resolve(workspace, spec);
    if (!existsSync(path)) {
      throw new InputError(
        input,
        `${spec} does not exist`,
        'Check the path; relative paths are read from the workspace (GITHUB_WORKSPACE).',
      );
    }
    if (!statSync(path).isDirectory()) return [path];
    const files = filesInDir(path);
    // A folder with no policy in it would make a gate of no rule, which passes whatever the facts.
    if (files.length === 0) {
      throw new InputError(
        input,
        `the folder ${spec} holds no policy file (.json, .yaml or .yml, other than *.test.* and *.schema.json)`,
        'Put the policy files in the folder, or name the policies to apply (files, globs or builtin names).',
      );
    }
    return files;
  }
  const matches = globSync(spec, { cwd: workspace })
    .map((f) => resolve(workspace, f))
    .filter((f) => isPolicyFile(f) && statSync(f).isFile())
    .sort();
  if (matches.length === 0) {
    throw new InputError(
      input,
      `the pattern "${spec}" matches no policy file`,
      'Check the glob; it is matched from the workspace (GITHUB_WORKSPACE).',
    );
  }
  return matches;
}

/** Expands paths, globs and builtin: names into the policy files they name, each once. */
export function resolvePolicySpecs(
  specs: string[],
  workspace: string,
  input: string,
): { spec: string; file: string }[] {
  if (specs.length === 0) {
    throw new InputError(
      input,
      'names no policy',
      `List policy files, globs or builtin names (e.g. builtin:preflight).`,
    );
  }
  const seen = new Set<string>();
  const out: { spec: string; file: string }[] = [];
  for (const spec of specs) {
    const files = spec.startsWith(BUILTIN)
      ? resolveBuiltin(spec, input)
      : resolveWorkspace(spec, workspace, input);
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      out.push({ spec, file });
    }
  }
  return out;
}

/** Every fact a rule needs is declared in the policy's `facts`: a typo must not leave a rule never checked. */
function checkNeeds(policy: Policy, source: string, input: string): void {
  for (const rule of policy.rules) {
    const undeclared = (rule.needs ?? []).find((pointer) => !policy.facts?.[pointer]);
    if (undeclared !== undefined) {
      throw new InputError(
        input,
        `${source}: rule "${rule.id}" needs ${undeclared}, which the policy's "facts" does not declare`,
        `Declare it in "facts" (e.g. "${undeclared}": { "required": true, "collectedBy": "..." }) or fix the pointer.`,
      );
    }
  }
}

export async function loadPolicy(
  file: string,
  spec: string,
  workspace: string,
  input: string,
): Promise<LoadedPolicy> {
  const builtin = spec.startsWith(BUILTIN);
  const rel = relative(workspace, file).split(sep).join('/');
  const display = builtin ? `${BUILTIN}${relative(builtinPoliciesDir(), file).split(sep).join('/')}` : rel;
  const doc = await readStructured(file, input, display);
  await assertDocument('policy', doc, input);
  const lines = new Map<number, Promise<number>>();
  const ruleLine = (index: number): Promise<number> => {
    let line = lines.get(index);
    if (!line) {
      line = doc.locate(`/rules/${index}`).then((p) => p.line);
      lines.set(index, line);
    }
    return line;
  };
  const policy = doc.data as Policy;
  checkNeeds(policy, display, input);
  checkWaiverLimits(policy, display, input);
  return {
    policy,
    source: display,
    file,
    workspaceFile: builtin || rel.startsWith('..') ? undefined : rel,
    sha256: sha256(doc.text),
    ruleLine,
  };
}

export async function loadPolicies(
  specs: string[],
  workspace: string,
  input = 'policies',
): Promise<LoadedPolicy[]> {
  const policies = await Promise.all(
    resolvePolicySpecs(specs, workspace, input).map(({ spec, file }) =>
      loadPolicy(file, spec, workspace, input),
    ),
  );
  if (policies.every((loaded) => loaded.policy.rules.length === 0)) {
    throw new InputError(
      input,
      'names no rule to check',
      'Name at least one policy with rules: a gate of no rule would pass whatever the facts.',
    );
  }
  const owner = new Map<string, string>();
  for (const loaded of policies) {
    for (const rule of loaded.policy.rules) {
      const first = owner.get(rule.id);
      if (first) {
        throw new InputError(
          input,
          `rule id "${rule.id}" is defined twice (${first} and ${loaded.source})`,
          'Rule ids must be unique across the policies of one gate; rename one of them.',
        );
      }
      owner.set(rule.id, loaded.source);
    }
  }
  return policies;
}
