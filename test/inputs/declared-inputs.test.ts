import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUTS, type ActionName } from '../../src/inputs/index.js';
import type { InputSpec } from '../../src/runner/declared-inputs.js';
import { actionYml } from '../bad-input/catalogue.js';
import { inputsInReadme, readmeDefaults } from '../bad-input/input-lists.js';

// Each action declares its inputs once (src/inputs/<action>.ts). What GitHub reads (action.yml) and what
// people read (the README's input table) must say the same: a drift here is an input the runner fills
// with a default the code does not expect, or one the docs promise and the action does not take.
const ACTIONS = Object.keys(ACTION_INPUTS) as ActionName[];
const declared = (action: ActionName) => Object.entries(ACTION_INPUTS[action] as Record<string, InputSpec>);

interface YmlInput {
  description?: string;
  required?: boolean;
  default?: unknown;
}

describe('declared inputs', () => {
  it.each(ACTIONS)(
    '%s: action.yml declares exactly these inputs, in order, with the same required, default and description',
    (action) => {
      const yml = parse(readFileSync(actionYml(action), 'utf8')) as { inputs?: Record<string, YmlInput> };
      const fromYml = Object.entries(yml.inputs ?? {}).map(([name, spec]) => ({
        name,
        required: spec?.required === true,
        default: spec?.default === undefined ? undefined : String(spec.default),
        description: spec?.description?.trim(),
      }));
      const fromDeclaration = declared(action).map(([name, spec]) => ({
        name,
        required: spec.required === true,
        default: spec.default,
        description: spec.description,
      }));
      expect(fromYml).toEqual(fromDeclaration);
    },
  );

  it.each(ACTIONS)(
    '%s: the README input table lists exactly these inputs, and which are required',
    (action) => {
      expect(inputsInReadme(action)).toEqual(
        declared(action)
          .map(([name]) => name)
          .sort(),
      );
      const cells = readmeDefaults(action);
      for (const [name, spec] of declared(action)) {
        const cell = cells.get(name) ?? '';
        if (spec.required) expect(cell, name).toBe('(required)');
        else expect(cell, name).not.toBe('(required)');
        // A default on one line is shown as it is; a longer one (a list of policies) may be summed up.
        if (!spec.required && spec.default && !spec.default.includes('\n'))
          expect(cell, name).toBe(`\`${spec.default}\``);
      }
    },
  );

  it.each(ACTIONS)('%s: every declaration is complete for its kind', (action) => {
    for (const [name, spec] of declared(action)) {
      expect(spec.description.length, name).toBeGreaterThan(10);
      if (spec.kind === 'secret' || spec.kind === 'db-url') expect(spec.secret, name).toBe(true);
      if (spec.kind === 'int' || spec.kind === 'duration') {
        expect(spec.min, name).toBeTypeOf('number');
        expect(spec.max, name).toBeGreaterThan(spec.min ?? 0);
      }
      if (spec.kind === 'enum') {
        expect(spec.values?.length, name).toBeGreaterThan(1);
        if (spec.default) expect(spec.values, name).toContain(spec.default);
      }
      if (spec.kind === 'bool' && spec.default) expect(['true', 'false'], name).toContain(spec.default);
      if (spec.required) expect(spec.default, name).toBeUndefined();
    }
  });
});
