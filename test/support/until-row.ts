import pg from 'pg';

/**
 * Resolves once `sql` returns a row on the database at `url`, polled over one connection while `running`
 * is unsettled (an event in the database that no one announces: a session of a tool the action started,
 * at the statement that matters). Rejects if `running` settles first: the moment to act on never came.
 * The query may act as it matches (`SELECT pg_terminate_backend(pid) … WHERE …`).
 */
export async function untilRow(url: string, sql: string, running: Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let ended = false;
  void running.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );
  try {
    for (;;) {
      if ((await client.query(sql)).rowCount) return;
      if (ended) throw new Error(`the run ended before this query returned a row: ${sql}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await client.end();
  }
}
