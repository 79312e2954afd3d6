/**
 * @actions/artifact reads its settings from process.env at call time (and GITHUB_API_URL once, at
 * import). A store given another environment (a test playing two jobs in one process) lends its
 * values to process.env for the length of one library call; calls are queued so two environments
 * never mix.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** Everything the library reads at call time. */
const LIBRARY_ENV = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RESULTS_URL',
  'GITHUB_SERVER_URL',
  'GITHUB_RETENTION_DAYS',
  'GITHUB_WORKSPACE',
  'ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY',
  'ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS',
] as const;

let queue: Promise<unknown> = Promise.resolve();

export function withLibraryEnv<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  if (env === process.env) return fn();
  const run = async (): Promise<T> => {
    const saved = LIBRARY_ENV.map((key) => [key, process.env[key]] as const);
    for (const key of LIBRARY_ENV) setVar(key, env[key]);
    try {
      return await fn();
    } finally {
      for (const [key, value] of saved) setVar(key, value);
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

function setVar(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
