/** Where an annotation points: a file in the user's repository and a line in it. */
export interface AnnotationTarget {
  title?: string;
  file?: string;
  startLine?: number;
}

/**
 * Everything the core may ask of the GitHub runner. Only `github-runner.ts` implements it with
 * @actions/core; the core and its tests see this interface alone.
 */
export interface Runner {
  /** Raw input value, trimmed; '' when unset. */
  input(name: string): string;
  setOutput(name: string, value: string | number | boolean): void;
  /** Mask a value in every later log line. Call before the value can be logged. */
  setSecret(value: string): void;
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, target?: AnnotationTarget): void;
  warning(message: string, target?: AnnotationTarget): void;
  error(message: string, target?: AnnotationTarget): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Append markdown to this step's job summary. */
  appendSummary(markdown: string): Promise<void>;
  /** Save a value for this action's `post` step, or read one saved by its main step. */
  saveState(name: string, value: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Paths and identity the runner provides to every step. */
export interface RunContext {
  workspace: string;
  runnerTemp: string;
  runId: string;
  runAttempt: number;
  repository: string;
  sha: string;
  ref: string;
  actor: string;
  workflow: string;
  /** The running workflow's file in the repository, e.g. .github/workflows/deploy.yml; '' when unknown. */
  workflowFile: string;
  job: string;
  /** The step id, or the runner's generated name for a step without one. */
  action: string;
  serverUrl: string;
  apiUrl: string;
  eventPath: string | undefined;
}

export function runContext(env: Readonly<Record<string, string | undefined>>): RunContext {
  const cwd = process.cwd();
  return {
    workspace: env.GITHUB_WORKSPACE || cwd,
    runnerTemp: env.RUNNER_TEMP || `${cwd}/.tmp`,
    runId: env.GITHUB_RUN_ID || 'local',
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT || '1') || 1,
    repository: env.GITHUB_REPOSITORY || 'local/local',
    sha: env.GITHUB_SHA || '',
    ref: env.GITHUB_REF || '',
    actor: env.GITHUB_ACTOR || '',
    workflow: env.GITHUB_WORKFLOW || '',
    // GITHUB_WORKFLOW_REF is owner/repo/<path>@<ref>; a called (reusable) workflow reports its caller's.
    workflowFile: /^[^/]+\/[^/]+\/([^@]+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1] ?? '',
    job: env.GITHUB_JOB || '',
    action: env.GITHUB_ACTION || 'deploy-gates',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    eventPath: env.GITHUB_EVENT_PATH,
  };
}
