import { isPlainObject } from '../util/deep-merge.js';

/**
 * A template is the JSON payload a channel receives, with `{{name}}` placeholders in its strings. Values
 * are put into strings of the parsed JSON (never spliced into JSON text), so a value can neither break
 * the payload nor add a field. An object with `"when": "name"` is kept only when that placeholder has a
 * value (a stage list, an evidence link), and the `when` key itself is dropped.
 */
export type Template = unknown;

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** The placeholders a template names (in strings and `when`), each once. */
export function placeholdersIn(template: Template): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') for (const m of node.matchAll(PLACEHOLDER)) found.add(m[1] ?? '');
    else if (Array.isArray(node)) node.forEach(walk);
    else if (isPlainObject(node)) {
      if (typeof node.when === 'string') found.add(node.when);
      for (const [key, value] of Object.entries(node)) if (key !== 'when') walk(value);
    }
  };
  walk(template);
  return [...found];
}

/** Removed from arrays and objects: an element whose `when` placeholder is empty. */
const DROP = Symbol('drop');

/** The payload: every placeholder replaced by its value, through the channel's escaping. */
export function renderTemplate(
  template: Template,
  values: Record<string, string>,
  escapeValue: (value: string) => string = (v) => v,
): unknown {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string')
      return node.replace(PLACEHOLDER, (_, name: string) => escapeValue(values[name] ?? ''));
    if (Array.isArray(node)) return node.map(walk).filter((n) => n !== DROP);
    if (isPlainObject(node)) {
      if (typeof node.when === 'string' && !values[node.when]) return DROP;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === 'when') continue;
        const v = walk(value);
        if (v !== DROP) out[key] = v;
      }
      return out;
    }
    return node;
  };
  const rendered = walk(template);
  return rendered === DROP ? {} : rendered;
}
