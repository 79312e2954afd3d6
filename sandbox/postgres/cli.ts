/**
 * Starts a throwaway PostgreSQL cluster and prints its URL; Ctrl-C stops it and deletes its data.
 *
 *   node sandbox/postgres/cli.ts [--port 5433] [--password secret]
 */
import { parseArgs } from 'node:util';
import type * as Cluster from './cluster.js';

// Node runs this file with type stripping, which does not map TypeScript's `./cluster.js` to the
// `.ts` file; importing the real file name at run time works there and under vitest alike.
const { startPostgres } = (await import(new URL('./cluster.ts', import.meta.url).href)) as typeof Cluster;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    password: { type: 'string' },
  },
});

const options: Cluster.StartPostgresOptions = {};
if (values.port !== undefined) options.port = Number.parseInt(values.port, 10);
if (values.password !== undefined) options.superuserPassword = values.password;

const cluster = await startPostgres(options);
// The server does not keep this process alive by itself; this timer does, until a signal arrives.
const keepAlive = setInterval(() => undefined, 1 << 30);

console.log(`PostgreSQL sandbox on ${cluster.host}:${cluster.port} (binaries: ${cluster.binDir})`);
console.log(`DATABASE_URL=${cluster.url()}`);
console.log(`data: ${cluster.dataDir}`);
console.log(`log:  ${cluster.logFile}`);
console.log('Ctrl-C stops it and deletes the data.');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping PostgreSQL...`);
  try {
    await cluster.stop();
  } finally {
    clearInterval(keepAlive);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stop(signal).catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
  });
}
