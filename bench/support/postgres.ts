import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';

/**
 * A scratch folder and a throwaway PostgreSQL cluster for a database benchmark, both removed by `close`
 * or on Ctrl-C (exiting runs the sandbox's exit hook, which stops the cluster and deletes its data).
 */
export async function benchPostgres(
  prefix: string,
): Promise<{ work: string; cluster: PgCluster; close(): Promise<void> }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const cluster = await startPostgres().catch(async (err: unknown) => {
    await rm(work, { recursive: true, force: true });
    throw err;
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  }
  return {
    work,
    cluster,
    close: async () => {
      await cluster.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
