// Issue 2: policy evaluation throughput of the engine against raw Ajv validating the same schemas with the
// same options, both measured in this run. Goal: overhead ≤ 1.2×.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuleAjv } from '../src/policy/ajv.js';
import { mergeFacts } from '../src/policy/facts.js';
import { decideGate } from '../src/policy/gate.js';
import { loadPolicies } from '../src/policy/load-policies.js';
import { RuleCompiler } from '../src/policy/rule-compiler.js';
import { median } from './support/measure.js';

const RULES = 60;
const DOCS = 300;
const now = new Date('2026-06-01T03:00:00Z');

// Rules of the kinds policies use: thresholds, required flags, enums, date comparisons with /now.
const rules = Array.from({ length: RULES }, (_, i) => {
  const kind = i % 4;
  const key = `area${i}`;
  const inner =
    kind === 0
      ? { type: 'object', required: ['value'], properties: { value: { type: 'number', minimum: 50 } } }
      : kind === 1
        ? { type: 'object', required: ['enabled'], properties: { enabled: { const: true } } }
        : kind === 2
          ? { type: 'object', properties: { level: { enum: ['info', 'warn', 'error'] } } }
          : {
              type: 'object',
              properties: {
                until: { type: 'string', format: 'date-time', formatExclusiveMinimum: { $data: '/now' } },
              },
            };
  return {
    id: `bench.rule-${i}`,
    title: `Rule ${i}`,
    severity: ['critical', 'high', 'medium', 'low'][i % 4],
    reference: 'bench',
    remediation: 'none',
    schema: { type: 'object', required: [key], properties: { [key]: inner } },
  };
});
const dir = mkdtempSync(join(tmpdir(), 'dg-bench-'));
writeFileSync(
  join(dir, 'policy.json'),
  JSON.stringify({ id: 'bench', title: 'Bench', version: '1.0.0', rules }),
);

// Documents where about one rule in ten fails, as in real gates.
const docs = Array.from({ length: DOCS }, (_, d) =>
  mergeFacts(
    [
      Object.fromEntries(
        rules.map((_, i) => {
          const bad = (i + d) % 10 === 0;
          const kind = i % 4;
          const value =
            kind === 0
              ? { value: bad ? 10 : 80 }
              : kind === 1
                ? { enabled: !bad }
                : kind === 2
                  ? { level: bad ? 'debug' : 'info' }
                  : { until: bad ? '2020-01-01T00:00:00Z' : '2030-01-01T00:00:00Z' };
          return [`area${i}`, value];
        }),
      ),
    ],
    now,
  ),
);

const policies = await loadPolicies(['policy.json'], dir);
const compiler = new RuleCompiler();
const ajv = createRuleAjv();
const validators = rules.map((r) => ajv.compile(r.schema));

async function engine(): Promise<number> {
  const start = performance.now();
  for (const facts of docs)
    await decideGate({ policies, facts, waivers: [], failOn: 'high', mode: 'enforce', now, compiler });
  return performance.now() - start;
}
function raw(): number {
  const start = performance.now();
  let failures = 0;
  for (const facts of docs) for (const v of validators) if (!v(facts)) failures += v.errors?.length ?? 0;
  if (failures === 0) throw new Error('the bench documents should fail some rules');
  return performance.now() - start;
}

await engine(); // compile and warm up both paths once
raw();
const e: number[] = [];
const r: number[] = [];
for (let i = 0; i < 15; i++) {
  e.push(await engine());
  r.push(raw());
}
const [em, rm] = [median(e), median(r)];
const evals = RULES * DOCS;
console.log(
  `policy evaluation, ${RULES} rules × ${DOCS} fact documents, median of 15 rounds (Node ${process.version})`,
);
console.log(
  `  raw Ajv validate        ${rm.toFixed(1).padStart(8)} ms  ${((evals / rm) * 1000).toFixed(0)} rule evaluations/s`,
);
console.log(
  `  deploy-gates decideGate ${em.toFixed(1).padStart(8)} ms  ${((evals / em) * 1000).toFixed(0)} rule evaluations/s`,
);
console.log(`  overhead: ${(em / rm).toFixed(2)}× of raw Ajv (goal ≤ 1.2×)`);
