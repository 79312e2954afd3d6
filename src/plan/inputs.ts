import { InputError } from '../errors.js';
import { type InputReader, parseLines, quoteValue, requireInput } from '../runner/inputs.js';
import type { PlaybookWiring } from './wiring.js';

/** What the workflow gives plan: its inputs' values, and which of its secrets are set. */
export interface PlanInputs {
  inputs: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
}

const TO_JSON = `\${{ toJSON(inputs) }}`;
const INPUTS_FIX = `Set workflow-inputs to ${TO_JSON}.`;

/** The workflow inputs, as toJSON(inputs) writes them; an input left out has its default. */
function readWorkflowInputs(raw: string, wiring: PlaybookWiring): Record<string, unknown> {
  const text = requireInput('workflow-inputs', raw, TO_JSON);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError('workflow-inputs', `${quoteValue(text)} is not JSON`, INPUTS_FIX);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError('workflow-inputs', `${quoteValue(text)} is not a JSON object`, INPUTS_FIX);
  const values = parsed as Record<string, unknown>;
  const unknown = Object.keys(values).filter((name) => !(name in wiring.inputs));
  if (unknown.length > 0)
    throw new InputError(
      'workflow-inputs',
      `names ${unknown.map((n) => quoteValue(n, 40)).join(', ')}, which the playbook does not declare`,
      `${INPUTS_FIX} Use the plan action of the same release as the playbook.`,
    );
  for (const [name, value] of Object.entries(values))
    if (value !== null && !['string', 'boolean', 'number'].includes(typeof value))
      throw new InputError(
        'workflow-inputs',
        `gives ${quoteValue(name, 40)} a value that is not a string, boolean or number`,
        INPUTS_FIX,
      );
  return Object.fromEntries(
    Object.entries(wiring.inputs).map(([name, spec]) => [
      name,
      name in values && values[name] !== null ? values[name] : defaultValue(spec),
    ]),
  );
}

/** A workflow input's default, typed as toJSON(inputs) would give it. */
export function defaultValue(spec: PlaybookWiring['inputs'][string]): unknown {
  if (spec.type === 'boolean') return spec.default === 'true';
  if (spec.type === 'number') return Number(spec.default || 0);
  return spec.default;
}

/** NAME=true|false lines, one for every secret the playbook declares. */
function readSecretsSet(raw: string, wiring: PlaybookWiring): Record<string, boolean> {
  const fix = `Give one NAME=\${{ secrets.NAME != '' }} line for each of ${Object.keys(wiring.secrets).join(', ')}.`;
  const set: Record<string, boolean> = {};
  for (const line of parseLines(requireInput('secrets-set', raw, 'NAME=true or NAME=false lines'))) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(true|false)$/i.exec(line);
    if (!m?.[1] || !m[2])
      throw new InputError('secrets-set', `line ${quoteValue(line)} is not NAME=true or NAME=false`, fix);
    if (!(m[1] in wiring.secrets))
      throw new InputError(
        'secrets-set',
        `names ${quoteValue(m[1], 40)}, which the playbook does not declare`,
        fix,
      );
    set[m[1]] = m[2].toLowerCase() === 'true';
  }
  const missing = Object.keys(wiring.secrets).filter((name) => !(name in set));
  if (missing.length > 0)
    throw new InputError('secrets-set', `does not say whether ${missing.join(', ')} is set`, fix);
  return set;
}

export function readPlanInputs(input: InputReader, wiring: PlaybookWiring): PlanInputs {
  return {
    inputs: readWorkflowInputs(input('workflow-inputs'), wiring),
    secretsSet: readSecretsSet(input('secrets-set'), wiring),
  };
}
