// Issue 3: 50 staging endpoints, one in five answering in 300 ms (the rest at once). preflight-check's wall
// time (the committed bundle, as the runner starts it) against a sequential `curl -f` loop over the same
// list, both measured in this run. Goal: ≤ 0.1×.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, ratio } from './support/measure.js';

const ENDPOINTS = 50;
const SLOW_MS = 300;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const root = resolve(import.meta.dirname, '..');

const server = createServer((req, res) => {
  const slow = Number(/\d+/.exec(req.url ?? '')?.[0] ?? 0) % 5 === 0;
  setTimeout(() => res.end('{"status":"ok"}'), slow ? SLOW_MS : 0);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const urls = Array.from({ length: ENDPOINTS }, (_, i) => `${base}/health/${i}`);
const ws = mkdtempSync(join(tmpdir(), 'dg-bench-preflight-'));
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

const env = {
  PATH: process.env.PATH,
  GITHUB_WORKSPACE: ws,
  RUNNER_TEMP: ws,
  INPUT_ENDPOINTS: urls.map((u, i) => `e${i}=${u}`).join('\n'),
};
const curl: number[] = [];
const action: number[] = [];
for (let i = 0; i < rounds; i++) {
  curl.push(
    await time('bash', ['-c', 'while read -r u; do curl -fsS -o /dev/null "$u" || exit 1; done < urls.txt']),
  );
  action.push(await time(process.execPath, [join(root, 'actions/preflight-check/dist/index.js')], env));
}
server.close();
const c = median(curl);
const a = median(action);
console.log(
  `preflight-check, ${ENDPOINTS} endpoints (1 in 5 at ${SLOW_MS} ms), median of ${rounds} (Node ${process.version})`,
);
console.log(`  sequential curl -f loop   ${c.toFixed(0).padStart(7)} ms  (baseline)`);
console.log(
  `  preflight-check bundle    ${a.toFixed(0).padStart(7)} ms  ${ratio(a, c)} of the curl loop (goal ≤ 0.1×)`,
);
