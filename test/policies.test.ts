import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPolicyTests, runPolicyTestFile } from '../src/policy/policy-tests.js';
import { RuleCompiler } from '../src/policy/rule-compiler.js';

// Every *.test.json shipped next to a policy runs as part of `npm test`.
const root = join(import.meta.dirname, '..');
const files = [...findPolicyTests(join(root, 'policies')), ...findPolicyTests(join(root, 'examples'))];
const compiler = new RuleCompiler();
const reports = await Promise.all(files.map((file) => runPolicyTestFile(file, root, compiler)));

describe('policy tests', () => {
  it('finds the policy tests', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const report of reports) {
    describe(report.file, () => {
      for (const c of report.cases) {
        it(c.name, () => {
          expect(c.mismatches).toEqual([]);
        });
      }
      it('tests every rule both passing and failing', () => {
        expect(report.untested).toEqual([]);
      });
    });
  }
});
