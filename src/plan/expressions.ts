import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';

/**
 * GitHub's own expression library evaluates the workflow's `with:` values, so plan sees what each action
 * will get. The sandbox's workflow runner uses the same library (sandbox/workflow/expressions.ts, with the
 * status functions a job's `if:` needs); a `with:` value needs none.
 */
export type Contexts = Record<string, unknown>;

const CONTEXT_NAMES = ['github', 'inputs', 'secrets', 'needs', 'steps', 'env', 'vars', 'runner', 'job'];

function evaluateData(expression: string, contexts: Contexts): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, CONTEXT_NAMES, []).parse();
  // The library's reviver turns plain JSON into its own data types.
  const values = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(parsed, values, new Map()).evaluate();
}

function asText(result: data.ExpressionData): string {
  const value: unknown = JSON.parse(JSON.stringify(result, data.replacer));
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A `with:` value as the runner hands it to the action: every `${{ }}` replaced, as text. */
export function interpolate(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => asText(evaluateData(expr, contexts)));
}

/** An `if:` condition (without `${{ }}`, or with). */
export function condition(expression: string, contexts: Contexts): boolean {
  const bare = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  return truthy(evaluateData(bare, contexts));
}

/** The names a value reads from one context (`inputs.x`, `secrets.X`), in order of appearance. */
export function referenced(text: string, context: 'inputs' | 'secrets'): string[] {
  const names: string[] = [];
  for (const expr of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g))
    for (const m of (expr[1] ?? '').matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][\\w-]*)`, 'g')))
      if (m[1] && !names.includes(m[1])) names.push(m[1]);
  return names;
}
