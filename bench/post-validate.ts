// Issue 20 (post-validate): 20 checks × 10 samples against endpoints answering in BENCH_LATENCY_MS
// (default 50 ms). The committed bundle, started as the runner starts it (bench/support/action-env.ts),
// with the action's defaults (concurrency 0: every check at once; timeout, thresholds, expectations)
// except `interval`, which is 0s because the baseline has no pause either: a sequential `curl -f` loop
// sending the same 200 requests. Both must exit 0 and the server must have answered 200 requests to each.
// Figure: the paired ratio per round (action / curl loop) over interleaved rounds, min/median/max.
// Beside it, the earlier default (concurrency 8) as the tuned-down setting. Goal ≤ 0.1×.
// BENCH_ROUNDS (default 3, quick 1), BENCH_SAMPLES (10, quick 3), BENCH_LATENCY_MS (50).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveNode24 } from '../sandbox/runner/node24.js';
import { actionEnv, bundleOf, ROOT } from './support/action-env.js';
import { envNumber, formatSpread, pairedRatios, pairedRounds, spread, timeChild } from './support/measure.js';
import { reportRow } from './support/report.js';

const CHECKS = 20;
const SAMPLES = envNumber('BENCH_SAMPLES', 10, 3);
const LATENCY_MS = envNumber('BENCH_LATENCY_MS', 50);
const rounds = envNumber('BENCH_ROUNDS', 3, 1);
const node = await resolveNode24(ROOT);

let served = 0;
const server = createServer((_req, res) => {
  served++;
  setTimeout(() => res.end('{"status":"ok"}'), LATENCY_MS);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const paths = Array.from({ length: CHECKS }, (_, i) => `/api/check-${i}`);

const ws = mkdtempSync(join(tmpdir(), 'dg-bench-pv-'));
writeFileSync(
  join(ws, 'checks.json'),
  JSON.stringify({ checks: paths.map((url, i) => ({ name: `check ${i}`, url })) }),
);
// The same requests in the order the action's samples go: check by check, sample by sample.
const urls = paths.flatMap((p) => Array.from({ length: SAMPLES }, () => `${base}${p}`));
writeFileSync(join(ws, 'urls.txt'), `${urls.join('\n')}\n`);

/** Runs `fn` and checks the server answered exactly `expected` requests during it. */
async function counted(who: string, fn: () => Promise<number>): Promise<number> {
  const before = served;
  const ms = await fn();
  if (served - before !== urls.length)
    throw new Error(`${who} sent ${served - before} requests, not ${urls.length}`);
  return ms;
}
const action = (inputs: Record<string, string>) => () =>
  counted('post-validate', () =>
    timeChild(node, [bundleOf('actions/post-validate').bundle], {
      env: actionEnv('actions/post-validate', ws, {
        'base-url': base,
        checks: 'checks.json',
        samples: String(SAMPLES),
        interval: '0s',
        ...inputs,
      }),
      cwd: ws,
    }),
  );

try {
  const samples = await pairedRounds(
    {
      'curl loop': () =>
        counted('the curl loop', () =>
          timeChild(
            'bash',
            ['-c', 'while read -r u; do curl -fsS -o /dev/null "$u" || exit 1; done < urls.txt'],
            {
              cwd: ws,
            },
          ),
        ),
      'post-validate (defaults)': action({}),
      'post-validate (concurrency 8)': action({ concurrency: '8' }),
    },
    rounds,
    0,
    (round, t) =>
      console.log(
        `  round ${round + 1}: ${Object.entries(t)
          .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
          .join(', ')}`,
      ),
  );
  const curl = samples['curl loop'] ?? [];
  console.log(
    `post-validate, ${CHECKS} checks × ${SAMPLES} samples at ${LATENCY_MS} ms, ${rounds} interleaved rounds (Node ${process.versions.node}):`,
  );
  for (const [name, ms] of Object.entries(samples))
    console.log(`  ${name}: ${formatSpread(spread(ms), ' ms', 0)}`);
  console.log(
    `  concurrency 8 / curl loop: ${formatSpread(spread(pairedRatios(samples['post-validate (concurrency 8)'] ?? [], curl)))}`,
  );
  reportRow({
    key: 'post-validate',
    figure: `post-validate ${CHECKS} checks × ${SAMPLES} samples vs sequential curl loop`,
    goal: { op: '<=', value: 0.1 },
    ratios: pairedRatios(samples['post-validate (defaults)'] ?? [], curl),
    note: `defaults, interval 0s, ${LATENCY_MS} ms latency`,
  });
} finally {
  server.close();
  rmSync(ws, { recursive: true, force: true });
}
