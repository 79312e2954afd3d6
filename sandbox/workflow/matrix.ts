import { type Contexts, interpolate, type StatusState } from './expressions.js';

/** A job's `strategy:` as written: the matrix (a mapping, or one `${{ }}` expression), fail-fast, max-parallel. */
export interface WorkflowStrategy {
  matrix: unknown;
  failFast: unknown;
  maxParallel?: unknown;
}

/** One combination of the matrix: what `matrix.<key>` reads in that job run. */
export type Combination = Record<string, unknown>;

/** An expanded matrix, or why GitHub would refuse it (the job fails with that message). */
export type ExpandedMatrix =
  | { combinations: Combination[]; failFast: boolean; maxParallel: number; error?: undefined }
  | { error: string; combinations?: undefined };

/** Every string holding `${{ }}` in a YAML value, evaluated; the rest as written. */
function resolveDeep(value: unknown, contexts: Contexts, state: StatusState): unknown {
  if (typeof value === 'string') return value.includes('${{') ? interpolate(value, contexts, state) : value;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, contexts, state));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, contexts, state)]));
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The job runs of a matrix, as GitHub's workflow syntax describes them: every combination of the vectors
 * (the first key varies slowest), minus `exclude` entries (matched on the keys they name), then each
 * `include` entry added to every combination whose original values it does not change, or run as a
 * combination of its own when it fits none. A vector with no values is an error (GitHub fails the run),
 * which is why a job that may have nothing to do is switched off with `if:` instead.
 */
export function expandMatrix(
  strategy: WorkflowStrategy,
  contexts: Contexts,
  state: StatusState,
): ExpandedMatrix {
  const matrix = resolveDeep(strategy.matrix, contexts, state);
  if (!isObject(matrix)) return { error: `The matrix is ${JSON.stringify(matrix)}, not a mapping` };
  const { include = [], exclude = [], ...vectors } = matrix;
  if (!Array.isArray(include) || !include.every(isObject))
    return { error: 'The matrix include is not a list of mappings' };
  if (!Array.isArray(exclude) || !exclude.every(isObject))
    return { error: 'The matrix exclude is not a list of mappings' };
  // No vectors: only the include entries, each a job run of its own.
  let combinations: Combination[] = Object.keys(vectors).length > 0 ? [{}] : [];
  for (const [key, values] of Object.entries(vectors)) {
    if (!Array.isArray(values)) return { error: `Matrix vector '${key}' is not a list` };
    if (values.length === 0) return { error: `Matrix vector '${key}' does not contain any values` };
    combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  combinations = combinations.filter(
    (c) => !exclude.some((e) => Object.entries(e).every(([k, v]) => same(c[k], v))),
  );
  // An entry extends the vectors' combinations only, never one an earlier entry created: with no
  // vectors (a matrix of `include` alone) every entry is a job run of its own.
  const original = new Set(Object.keys(vectors));
  const extensible = [...combinations];
  for (const entry of include) {
    const fits = extensible.filter((c) =>
      Object.entries(entry).every(([k, v]) => !original.has(k) || same(c[k], v)),
    );
    for (const c of fits) Object.assign(c, entry);
    if (fits.length === 0) combinations.push({ ...entry });
  }
  if (combinations.length === 0) return { error: 'The matrix has no combinations' };
  const failFast = resolveDeep(strategy.failFast ?? true, contexts, state);
  // Without max-parallel GitHub runs as many as it can at once: here, all of them.
  const given = resolveDeep(strategy.maxParallel ?? combinations.length, contexts, state);
  const maxParallel = Number(given);
  if (!Number.isInteger(maxParallel) || maxParallel < 1)
    return {
      error: `The strategy's max-parallel is ${JSON.stringify(given)}, not a whole number of at least 1`,
    };
  return {
    combinations,
    failFast: failFast !== false && failFast !== 'false',
    maxParallel: Math.min(maxParallel, combinations.length),
  };
}

/** A combination's values in order, objects and lists flattened to their leaves, as GitHub lists them. */
function leaves(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (isObject(value)) return Object.values(value).flatMap(leaves);
  return [value === null || value === undefined ? '' : String(value)];
}

/**
 * The name GitHub shows for one job run of a matrix: `name:` evaluated with the matrix when it uses the
 * matrix context, otherwise the job's name (or id) followed by the combination's values in parentheses.
 */
export function matrixJobName(
  jobId: string,
  name: string | undefined,
  combination: Combination,
  contexts: Contexts,
  state: StatusState,
): string {
  if (name !== undefined && /\$\{\{[^}]*\bmatrix\b/.test(name))
    return String(interpolate(name, contexts, state));
  const base = name === undefined ? jobId : String(interpolate(name, contexts, state));
  return `${base} (${leaves(combination).join(', ')})`;
}
