import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';

/** What the status functions see: did an earlier job (or step) fail, was the run cancelled. */
export interface StatusState {
  failed: boolean;
  cancelled: boolean;
  /**
   * A needed job did not succeed without failing (it was skipped): success() is false, so a job with
   * no status function is skipped too, as GitHub skips every job that needs a skipped one.
   */
  skipped?: boolean;
}

/** The contexts an expression may read (github, inputs, secrets, needs, steps, env, vars, runner, job, …). */
export type Contexts = Record<string, unknown>;

const CONTEXT_NAMES = [
  'github',
  'inputs',
  'secrets',
  'needs',
  'steps',
  'env',
  'vars',
  'runner',
  'job',
  'jobs',
  'matrix',
  'strategy',
];

function statusFunctions(state: StatusState): Map<string, FunctionDefinition> {
  const fn = (name: string, value: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) },
  ];
  return new Map([
    fn('success', () => !state.failed && !state.cancelled && !state.skipped),
    fn('failure', () => state.failed),
    fn('always', () => true),
    fn('cancelled', () => state.cancelled),
  ]);
}

function toData(contexts: Contexts): data.Dictionary {
  // The library's reviver turns plain JSON into its own data types.
  return JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
}

function evaluateData(expression: string, contexts: Contexts, state: StatusState): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, CONTEXT_NAMES, [...statusFunctions(state).values()]).parse();
  return new Evaluator(parsed, toData(contexts), statusFunctions(state)).evaluate();
}

/** A JS value for the expression's result (objects and arrays included, for toJSON and fromJSON). */
export function evaluate(
  expression: string,
  contexts: Contexts,
  state: StatusState = { failed: false, cancelled: false },
): unknown {
  const result = evaluateData(expression, contexts, state);
  return JSON.parse(JSON.stringify(result, data.replacer));
}

/**
 * An `if:` condition. GitHub wraps a condition with no status function in `success() && (...)`; the
 * workflow parser has already done that for jobs and steps, so the expression is evaluated as given.
 */
export function condition(expression: string, contexts: Contexts, state: StatusState): boolean {
  const bare = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  return truthy(evaluateData(bare, contexts, state));
}

/** A string with `${{ }}` expressions, as in `with:` and `env:` values; a lone expression keeps its type. */
export function interpolate(
  text: string,
  contexts: Contexts,
  state: StatusState = { failed: false, cancelled: false },
): unknown {
  // One expression and nothing else (`${{ a }}/${{ b }}` is two): it keeps its type.
  const lone = /^\s*\$\{\{((?:(?!\}\})[\s\S])*)\}\}\s*$/.exec(text);
  if (lone?.[1] !== undefined) return evaluate(lone[1], contexts, state);
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const value = evaluate(expr, contexts, state);
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
