/** The input names each place knows of: action.yml, the code and the README. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../../sandbox/runner/run-bundle.js';
import { type ActionName, declaredInputs } from './catalogue.js';

const entry = (action: ActionName) => join(REPO_ROOT, 'src', 'actions', `${action}.ts`);
const readme = (action: ActionName) =>
  action === 'policy-gate' ? join(REPO_ROOT, 'README.md') : join(REPO_ROOT, 'actions', action, 'README.md');

/** The project's source files an action entry imports, directly or not. */
function sourcesOf(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
    const next = resolve(dirname(file), `${m[1]}.ts`);
    if (existsSync(next)) sourcesOf(next, seen);
  }
  return seen;
}

/**
 * Reads the scan sees that the action never makes: a shared module read for one function, or a shared
 * reader whose answer the action overrides.
 */
const NOT_READ: Partial<Record<ActionName, { file?: string; names?: string[]; outside?: string }>> = {
  // plan runs the other actions' readers on their inputs (with their names); its own are read in src/plan.
  plan: { outside: join(REPO_ROOT, 'src', 'plan') },
  // rollback imports readOrigin alone from post-validate's input module.
  rollback: { file: join(REPO_ROOT, 'src', 'validate', 'inputs.ts') },
  // readGateInputs reads mode; post-validate replaces it with fail-on-unhealthy.
  'post-validate': { names: ['mode'] },
  // watch runs post-validate's gate, which reads fail-on-unhealthy instead of mode.
  watch: { names: ['mode'] },
};

/**
 * Shared readers that take the input's name from a variable: what they read. A reader that accepts an
 * older alias reads it only in the actions that still declare it.
 */
const READ_BY_NAME: Record<string, string[]> = {
  [join(REPO_ROOT, 'src', 'db', 'target.ts')]: ['database-url'],
  [join(REPO_ROOT, 'src', 'vercel', 'target.ts')]: ['vercel-api-url', 'api-url'],
};

/** Input names the code reads: the first argument of the input readers, as a literal. */
export function inputsReadInCode(action: ActionName): string[] {
  const names = new Set<string>();
  const reader =
    /\b(?:input|secret|outputPath|runner\.input|positiveDuration)\(\s*(?:input,\s*)?'([a-z][a-z0-9-]*)'/g;
  // Inputs read in a loop over a literal list, e.g. `for (const secret of ['database-url', …]) input(secret)`.
  const loop = /for \(const (\w+) of \[([^\]]+)\]\)[\s\S]{0,80}?\binput\(\1\)/g;
  for (const file of sourcesOf(entry(action))) {
    if (NOT_READ[action]?.file === file) continue;
    const only = NOT_READ[action]?.outside;
    if (only && !file.startsWith(only) && file !== entry(action)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(reader)) names.add(m[1] ?? '');
    for (const m of text.matchAll(loop))
      for (const s of (m[2] ?? '').matchAll(/'([a-z0-9-]+)'/g)) names.add(s[1] ?? '');
    const declaredHere = new Set(declared(action));
    for (const name of READ_BY_NAME[file] ?? []) if (declaredHere.has(name)) names.add(name);
  }
  for (const name of NOT_READ[action]?.names ?? []) names.delete(name);
  return [...names].sort();
}

/** The first column of the README's input table: rows "| `name` | …" under a heading that says Inputs. */
export function inputsInReadme(action: ActionName): string[] {
  const text = readFileSync(readme(action), 'utf8');
  const section = /^#{2,3} Inputs\b[^\n]*\n([\s\S]*?)(?=^#{1,3} )/m.exec(`${text}\n# end`)?.[1] ?? '';
  // A row may document two inputs together: | `backup-id`, `backup-location` | … |
  const cells = [...section.matchAll(/^\| (`[^|]+`) \|/gm)].map((m) => m[1] ?? '');
  return cells.flatMap((cell) => [...cell.matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1] ?? '')).sort();
}

/** The Default column of the README's input table, by input name. */
export function readmeDefaults(action: ActionName): Map<string, string> {
  const text = readFileSync(readme(action), 'utf8');
  const section = /^#{2,3} Inputs\b[^\n]*\n([\s\S]*?)(?=^#{1,3} )/m.exec(`${text}\n# end`)?.[1] ?? '';
  const cells = new Map<string, string>();
  for (const m of section.matchAll(/^\| (`[^|]+`) \| ([^|]*) \|/gm))
    for (const name of (m[1] ?? '').matchAll(/`([a-z][a-z0-9-]*)`/g))
      cells.set(name[1] ?? '', (m[2] ?? '').trim());
  return cells;
}

export const declared = (action: ActionName) =>
  declaredInputs(action)
    .map((i) => i.name)
    .sort();
