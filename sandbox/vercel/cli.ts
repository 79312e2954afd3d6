/**
 * Starts the Vercel API emulator for local demos and prints what a client needs; Ctrl-C stops it.
 *
 *   node --no-warnings --experimental-transform-types --import ./scripts/ts-resolve.mjs sandbox/vercel/cli.ts \
 *     [--token t] [--team team_x] [--build-ms 2000] [--project my-app]
 */
import { parseArgs } from 'node:util';
import { type StartVercelEmulatorOptions, startVercelEmulator } from './emulator.js';

const { values } = parseArgs({
  options: {
    token: { type: 'string' },
    team: { type: 'string' },
    'build-ms': { type: 'string' },
    project: { type: 'string', multiple: true },
  },
});

const options: StartVercelEmulatorOptions = {};
if (values.token !== undefined) options.token = values.token;
if (values.team !== undefined) options.teamId = values.team;
if (values['build-ms'] !== undefined) options.buildMs = Number.parseInt(values['build-ms'], 10);

const vercel = await startVercelEmulator(options);
console.log(`Vercel API emulator on ${vercel.apiUrl}`);
console.log(`VERCEL_API_URL=${vercel.apiUrl}`);
console.log(`VERCEL_TOKEN=${vercel.token}`);
console.log(`VERCEL_TEAM_ID=${vercel.teamId}`);
console.log(`NODE_EXTRA_CA_CERTS=${vercel.caFile}`);
for (const name of values.project ?? []) {
  const project = await vercel.createProject({ name });
  console.log(`project ${name} (${project.id}): production domain ${vercel.productionUrl(name)}`);
}
console.log('Ctrl-C stops it.');

const keepAlive = setInterval(() => undefined, 1 << 30);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    clearInterval(keepAlive);
    vercel.close().then(
      () => console.log(`\n${signal}: stopped`),
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  });
}
