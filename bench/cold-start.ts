// Issue 2: cold start of the root action bundle against a bare `node -e 0`, both measured in this run.
// Goal: ≤ 1.5×. Three figures: the bundle up to its input check (what every run pays before any work),
// a whole gate over the example policy (compiled at run time), passing and failing, and a gate over
// builtin policies (precompiled).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interleaved, ratio, timeProcess } from './support/measure.js';

const root = resolve(import.meta.dirname, '..');
const node = process.execPath;
const ws = mkdtempSync(join(tmpdir(), 'dg-bench-'));
cpSync(join(root, 'examples/policy-gate'), ws, { recursive: true });
cpSync(join(root, 'examples/compliance'), join(ws, 'compliance'), { recursive: true });
const compliance = join(root, 'actions/compliance-gate/dist/index.js');
const bundle = join(root, 'dist/index.js');
const env = (inputs: Record<string, string>) => ({
  PATH: process.env.PATH,
  GITHUB_WORKSPACE: ws,
  RUNNER_TEMP: ws,
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
});
const gate = { POLICIES: 'release-readiness.json', FACTS: 'facts-ready.json' };
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);

const medians = interleaved(
  {
    'node -e 0': () => timeProcess(node, ['-e', '0']),
    'bundle, stops at input check': () =>
      timeProcess(node, [bundle], { env: env({ ...gate, MODE: 'bogus' }), cwd: ws }),
    'bundle, gate passes': () => timeProcess(node, [bundle], { env: env(gate), cwd: ws }),
    'bundle, gate fails (annotations, line lookup)': () =>
      timeProcess(node, [bundle], { env: env({ ...gate, FACTS: 'facts-not-ready.json' }), cwd: ws }),
    // Builtin policies run from validators generated at build time: no Ajv at run time.
    'compliance-gate, 27 builtin rules (precompiled)': () =>
      timeProcess(node, [compliance], {
        env: env({ MANIFEST: 'compliance/compliance.json', MODE: 'audit' }),
        cwd: ws,
      }),
  },
  rounds,
);

const baseline = medians['node -e 0'] ?? 1;
console.log(`cold start, median of ${rounds} interleaved runs (Node ${process.version})`);
for (const [name, ms] of Object.entries(medians)) {
  console.log(`  ${name.padEnd(48)} ${ms.toFixed(1).padStart(7)} ms  ${ratio(ms, baseline)} of node -e 0`);
}
