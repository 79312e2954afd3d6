import { describe, expect, it } from 'vitest';
import { ACTIONS, badValues, catalogue, INPUT_KINDS } from './catalogue.js';
import { declared, inputsInReadme, inputsReadInCode } from './input-lists.js';
import { KNOWN_FAILURES } from './known-failures.js';

// One list of inputs per action: what action.yml declares, what the code reads, what the README documents
// and what the bad-input catalogue tries must be the same names.

describe('input catalogue', () => {
  it.each([...ACTIONS])(
    '%s: the bad-input kind table covers exactly the inputs action.yml declares',
    (action) => {
      expect(Object.keys(INPUT_KINDS[action]).sort()).toEqual(declared(action));
    },
  );

  it.each([...ACTIONS])('%s: the code reads exactly the inputs action.yml declares', (action) => {
    expect(inputsReadInCode(action)).toEqual(declared(action));
  });

  it.each([...ACTIONS])(
    '%s: the README input table lists exactly the inputs action.yml declares',
    (action) => {
      expect(inputsInReadme(action)).toEqual(declared(action));
    },
  );

  it('tries every input with at least a line break and a huge value, and names each case once', () => {
    const cases = catalogue();
    for (const action of ACTIONS)
      for (const name of declared(action)) {
        const kinds = cases.filter((c) => c.action === action && c.input === name).map((c) => c.kind);
        expect(kinds, `${action} ${name}`).toEqual(expect.arrayContaining(['line-break', 'huge']));
      }
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(badValues({ type: 'enum' }, true).map((v) => v.kind)).toContain('empty');
  });

  it('gives every known failure a reason and a case that exists', () => {
    const ids = new Set(catalogue().map((c) => c.id));
    for (const k of KNOWN_FAILURES) {
      expect(ids.has(k.id), k.id).toBe(true);
      expect(k.reason.length, k.id).toBeGreaterThan(10);
    }
  });
});
