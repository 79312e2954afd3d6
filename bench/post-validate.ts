// Issue 7: 20 checks × 10 samples against endpoints answering in 200 ms. post-validate's wall time (the
// committed bundle, as the runner starts it) against a sequential `curl -f` loop sending the same 200
// requests, both measured in this run. Goal: ≤ 0.1×.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ratio } from './support/measure.js';

const CHECKS = 20;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 10);
const LATENCY_MS = 200;
const root = resolve(import.meta.dirname, '..');

const server = createServer((_req, res) => {
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
const urls = paths.flatMap((p) => Array.from({ length: SAMPLES }, () => `${base}${p}`));
writeFileSync(join(ws, 'urls.txt'), `${urls.join('\n')}\n`);

/** Wall time of a child process, without blocking this process's server. */
function time(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, cwd: ws, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}`));
      else resolvePromise(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

const curlLoop = await time('bash', [
  '-c',
  'while read -r u; do curl -fsS -o /dev/null "$u" || exit 1; done < urls.txt',
]);
const inputs: Record<string, string> = {
  'base-url': base,
  checks: 'checks.json',
  samples: String(SAMPLES),
  interval: '0s',
};
const action = await time(process.execPath, [join(root, 'actions/post-validate/dist/index.js')], {
  PATH: process.env.PATH,
  GITHUB_WORKSPACE: ws,
  RUNNER_TEMP: ws,
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
});
server.close();

console.log(
  `post-validate, ${CHECKS} checks × ${SAMPLES} samples at ${LATENCY_MS} ms (Node ${process.version})`,
);
console.log(`  sequential curl -f loop   ${curlLoop.toFixed(0).padStart(7)} ms  (baseline)`);
console.log(
  `  post-validate bundle      ${action.toFixed(0).padStart(7)} ms  ${ratio(action, curlLoop)} of the curl loop (goal ≤ 0.1×)`,
);
