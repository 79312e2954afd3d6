import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRuleModules } from '../../src/policy/generated/builtin-rules.js';
import { builtinNames, loadPolicies } from '../../src/policy/load-policies.js';
import { findPolicyTests, runPolicyTestFile } from '../../src/policy/policy-tests.js';
import { RuleCompiler } from '../../src/policy/rule-compiler.js';
import { sha256 } from '../../src/util/hash.js';

// Builtin rules run from code generated at build time; the same cases compiled by Ajv at run time
// must give the same statuses and messages, or the generator and createRuleAjv have drifted apart.
const root = join(import.meta.dirname, '../..');
const files = findPolicyTests(join(root, 'policies'));
const precompiled = new RuleCompiler();
const runtime = new RuleCompiler({ precompiled: false });

describe('precompiled builtin rules behave as rules compiled at run time', () => {
  for (const file of files) {
    it(file.slice(root.length + 1), async () => {
      const [a, b] = await Promise.all([
        runPolicyTestFile(file, root, precompiled),
        runPolicyTestFile(file, root, runtime),
      ]);
      expect(a.cases).toEqual(b.cases);
    });
  }
  it('has builtin policies to compare', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('has generated code for every rule of every builtin policy (run `npm run build` after editing one)', async () => {
    const policies = await loadPolicies(
      builtinNames().map((n) => `builtin:${n}`),
      root,
    );
    const missing: string[] = [];
    for (const p of policies) {
      // Each policy's rules are in its own module, the one the engine loads for it.
      const name = p.source.replace(/^builtin:/, '').replace(/\.(json|ya?ml)$/, '');
      const load = builtinRuleModules[name];
      const { builtinRuleValidators } = load ? await load() : { builtinRuleValidators: {} };
      for (const r of p.policy.rules)
        if (!builtinRuleValidators[sha256(JSON.stringify(r.schema))]) missing.push(`${name}: ${r.id}`);
    }
    expect(missing).toEqual([]);
  });
});
