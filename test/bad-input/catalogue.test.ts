import { describe, expect, it } from 'vitest';
import { ACTION_INPUTS } from '../../src/inputs/index.js';
import type { InputSpec } from '../../src/runner/declared-inputs.js';
import { ACTIONS, badValues, catalogue, MALFORMED } from './catalogue.js';
import { declared, inputsReadInCode } from './input-lists.js';
import { KNOWN_FAILURES } from './known-failures.js';

// The catalogue is made from the declared inputs (src/inputs), which test/inputs checks against
// action.yml and the READMEs; here: the code reads exactly those inputs, and each is tried.

describe('input catalogue', () => {
  it('has malformed examples for exactly the declared inputs with a grammar of their own', () => {
    const formats = ACTIONS.flatMap((action) =>
      Object.entries(ACTION_INPUTS[action] as Record<string, InputSpec>)
        .filter(([, spec]) => spec.kind === 'format')
        .map(([name]) => `${action} ${name}`),
    );
    expect(Object.keys(MALFORMED).sort()).toEqual(formats.sort());
  });

  it.each([...ACTIONS])('%s: the code reads exactly the declared inputs', (action) => {
    expect(inputsReadInCode(action)).toEqual(declared(action));
  });

  it('tries every input with at least a line break and a huge value, and names each case once', () => {
    const cases = catalogue();
    for (const action of ACTIONS)
      for (const name of declared(action)) {
        const kinds = cases.filter((c) => c.action === action && c.input === name).map((c) => c.kind);
        expect(kinds, `${action} ${name}`).toEqual(expect.arrayContaining(['line-break', 'huge']));
      }
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(badValues({ kind: 'enum' }, true).map((v) => v.kind)).toContain('empty');
  });

  it('tries each bounded number just outside its declared bounds', () => {
    const cases = catalogue().filter((c) => c.action === 'db-migrate-backup' && c.input === 'jobs');
    expect(cases.filter((c) => c.kind === 'out-of-range').map((c) => c.value)).toEqual(['0', '65']);
  });

  it('gives every known failure a reason and a case that exists', () => {
    const ids = new Set(catalogue().map((c) => c.id));
    for (const k of KNOWN_FAILURES) {
      expect(ids.has(k.id), k.id).toBe(true);
      expect(k.reason.length, k.id).toBeGreaterThan(10);
    }
  });
});
