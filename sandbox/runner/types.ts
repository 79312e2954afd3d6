import type { Annotation, LogGroup, WorkflowCommand } from './workflow-commands.js';

export interface RunBundleOptions {
  /** The bundle's JS file, relative to the repository root or absolute (e.g. 'actions/rollback/dist/index.js'). */
  action: string;
  /** `with:` values; a key left out gets its action.yml default, as on the runner. */
  inputs?: Record<string, string | number | boolean>;
  /** Extra environment; applied last, so it can override any runner variable (e.g. GITHUB_API_URL). */
  env?: Record<string, string>;
  /** Webhook payload written to GITHUB_EVENT_PATH; a minimal push payload when left out. */
  event?: object;
  /** GITHUB_EVENT_NAME; default 'push'. */
  eventName?: string;
  /** GITHUB_WORKSPACE; default a fresh temp dir. */
  workspace?: string;
  /** RUNNER_TEMP; default a fresh temp dir. */
  runnerTemp?: string;
  /** Values a main step saved, given to a post step as STATE_<name>. */
  state?: Record<string, string>;
  runId?: string | number;
  runAttempt?: number;
  runNumber?: number;
  /** GITHUB_ACTION: the step id. */
  stepId?: string;
  /** Default 60 s; on expiry the process tree is killed and runBundle rejects with ActionTimeoutError. */
  timeoutMs?: number;
  /**
   * Aborting it kills the action's process tree with SIGKILL, as a runner that is lost or cancelled does:
   * nothing of the action runs after it (no finally, no exit hook). runAction then resolves as usual.
   */
  kill?: AbortSignal;
  /** Working directory; default the workspace, as on the runner. */
  cwd?: string;
  /** The action.yml whose input defaults apply; default dist/../action.yml. */
  actionYml?: string;
}

export interface ActionRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT, parsed. */
  outputs: Record<string, string>;
  /** GITHUB_STATE, parsed: what a post step would receive as STATE_*. */
  state: Record<string, string>;
  /** GITHUB_ENV, parsed: variables exported to later steps. */
  env: Record<string, string>;
  /** GITHUB_PATH entries, in the order written. */
  path: string[];
  /** GITHUB_STEP_SUMMARY content. */
  summary: string;
  annotations: Annotation[];
  masks: string[];
  debug: string[];
  groups: LogGroup[];
  /** Stdout lines that are not workflow commands. */
  log: string[];
  /** Every workflow command, in order. */
  commands: WorkflowCommand[];
  /** The INPUT_* variables the action was started with. */
  inputs: Record<string, string>;
  /**
   * What the runner itself would warn about: unexpected inputs, deprecated inputs, and input
   * defaults whose `${{ }}` expressions the harness passed on unevaluated.
   */
  runnerWarnings: string[];
  workspace: string;
  runnerTemp: string;
  durationMs: number;
  /** Removes the temp dirs the harness created for this run (not ones passed in). */
  cleanup(): Promise<void>;
}
