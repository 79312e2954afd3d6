// Issue 20: the policy engine against raw Ajv on the builtin policies and their own test facts (every case
// of policies/**/*.test.json), both measured in this run. The engine is timed as gates call it
// (decideGate: waivers, counts, blocking, line numbers of what did not pass); raw Ajv validates every rule
// schema of the same policy against the same documents with the same options, and counts the errors.
// Each round times both back to back (CPU time of this process); the figure is the ratio per round,
// min/median/max. Goal: ≤ 1.2×.
import { globSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRuleAjv } from '../src/policy/ajv.js';
import { mergeFacts } from '../src/policy/facts.js';
import { decideGate } from '../src/policy/gate.js';
import { loadPolicies } from '../src/policy/load-policies.js';
import { RuleCompiler } from '../src/policy/rule-compiler.js';
import type { LoadedPolicy, Waiver } from '../src/policy/types.js';
import type { JsonObject } from '../src/util/deep-merge.js';
import { envNumber, median } from './support/measure.js';
import { reportRow } from './support/report.js';

const root = resolve(import.meta.dirname, '..');
const ROUNDS = envNumber('BENCH_ROUNDS', 25, 3);
// Enough work per round (tens of ms of CPU) that one garbage collection or tier-up does not make the round.
const REPEAT = envNumber('BENCH_REPEAT', 100, 5);

interface Case {
  name: string;
  now?: string;
  facts: JsonObject;
  waivers?: Waiver[];
}
interface Doc {
  policy: LoadedPolicy;
  facts: JsonObject;
  waivers: Waiver[];
  now: Date;
}

const docs: Doc[] = [];
const names = new Map<LoadedPolicy, string>();
for (const file of globSync('policies/**/*.test.json', { cwd: root }).sort()) {
  const test = JSON.parse(readFileSync(join(root, file), 'utf8')) as { cases: Case[] };
  // As the gates load them: by their builtin name, so their precompiled validators are used.
  const name = file.replace(/^policies\//, '').replace(/\.test\.json$/, '');
  const [policy] = await loadPolicies([`builtin:${name}`], root, 'policies');
  if (!policy) throw new Error(`no builtin policy ${name}`);
  names.set(policy, name);
  for (const c of test.cases) {
    const now = new Date(c.now ?? '2026-01-15T12:00:00Z');
    docs.push({ policy, facts: mergeFacts([c.facts], now), waivers: c.waivers ?? [], now });
  }
}
const rules = docs.reduce((n, d) => n + d.policy.policy.rules.length, 0);

const compiler = new RuleCompiler();

/**
 * BENCH_BEFORE=<a checkout of an earlier commit> also times that commit's engine in the same rounds, on the
 * same documents (its own loaded policies), so the change shows as a figure of this run.
 */
const beforeRoot = process.env.BENCH_BEFORE;
const before = beforeRoot
  ? await (async () => {
      const load = (m: string) => import(join(resolve(beforeRoot), 'src/policy', m));
      const [{ decideGate: decide }, { loadPolicies: loadOld }, { RuleCompiler: OldCompiler }] =
        await Promise.all([load('gate.ts'), load('load-policies.ts'), load('rule-compiler.ts')]);
      const oldCompiler = new OldCompiler();
      const byId = new Map<LoadedPolicy, unknown>();
      for (const d of docs)
        if (!byId.has(d.policy))
          byId.set(d.policy, (await loadOld([`builtin:${names.get(d.policy)}`], root, 'policies'))[0]);
      return { decide, oldCompiler, byId };
    })()
  : undefined;

async function engineBefore(): Promise<number> {
  if (!before) return 0;
  const start = cpuMs();
  for (let i = 0; i < REPEAT; i++)
    for (const d of docs)
      await before.decide({
        policies: [before.byId.get(d.policy)],
        facts: d.facts,
        waivers: d.waivers,
        failOn: 'high',
        mode: 'enforce',
        now: d.now,
        compiler: before.oldCompiler,
      });
  return cpuMs() - start;
}
const ajv = createRuleAjv();
const rawValidators = new Map(
  [...new Set(docs.map((d) => d.policy))].map((p) => [p, p.policy.rules.map((r) => ajv.compile(r.schema))]),
);

/**
 * CPU time of this process, in ms: on a shared 2-core machine the wall time of a few-millisecond round
 * mostly measures the other processes; the CPU this process spent is what the engine costs.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function engine(): Promise<number> {
  const start = cpuMs();
  let blocking = 0;
  for (let i = 0; i < REPEAT; i++)
    for (const d of docs) {
      const outcome = await decideGate({
        policies: [d.policy],
        facts: d.facts,
        waivers: d.waivers,
        failOn: 'high',
        mode: 'enforce',
        now: d.now,
        compiler,
      });
      blocking += outcome.blocking.length;
    }
  if (blocking === 0) throw new Error('the test cases should block some gates');
  return cpuMs() - start;
}

function raw(): number {
  const start = cpuMs();
  let errors = 0;
  for (let i = 0; i < REPEAT; i++)
    for (const d of docs)
      for (const v of rawValidators.get(d.policy) ?? []) if (!v(d.facts)) errors += v.errors?.length ?? 0;
  if (errors === 0) throw new Error('the test cases should fail some rules');
  return cpuMs() - start;
}

// Compile, load the precompiled validators and warm both paths up.
for (let i = 0; i < 3; i++) {
  await engine();
  await engineBefore();
  raw();
}
const ratios: number[] = [];
const beforeRatios: number[] = [];
const times = { engine: [] as number[], raw: [] as number[] };
for (let i = 0; i < ROUNDS; i++) {
  const e = await engine();
  const b = await engineBefore();
  const r = raw();
  times.engine.push(e);
  times.raw.push(r);
  ratios.push(e / r);
  if (before) beforeRatios.push(b / r);
}
const fmt = (v: number) => `${v.toFixed(2)}×`;
console.log(
  `policy evaluation: the builtin policies on their own ${docs.length} test cases (${rules} rule evaluations), ×${REPEAT}, ${ROUNDS} paired rounds (Node ${process.version})`,
);
console.log(`  raw Ajv validate        median ${median(times.raw).toFixed(1).padStart(7)} ms CPU`);
console.log(`  deploy-gates decideGate median ${median(times.engine).toFixed(1).padStart(7)} ms CPU`);
const spread = (r: number[]) =>
  `min ${fmt(Math.min(...r))}, median ${fmt(median(r))}, max ${fmt(Math.max(...r))}`;
if (before) console.log(`  before (${beforeRoot}) / raw Ajv: ${spread(beforeRatios)}`);
console.log(`  engine / raw Ajv: ${spread(ratios)} (goal ≤ 1.2×)`);
reportRow({
  key: 'policy',
  figure: 'policy engine (decideGate) vs raw Ajv, CPU time',
  goal: { op: '<=', value: 1.2 },
  ratios,
  note: `builtin policies, their ${docs.length} test cases`,
});
