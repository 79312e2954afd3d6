/**
 * The reusable workflow's wiring as scripts/generate-wiring.mjs reads it from playbook.yml at build time
 * (generated/playbook-wiring.ts): never written by hand, so it cannot drift from the workflow.
 */
export interface PlaybookWiring {
  /** workflow_call inputs: their type and the default GitHub fills in. */
  inputs: Record<string, { type: string; default: string; required: boolean }>;
  /** workflow_call secrets. */
  secrets: Record<string, { required: boolean }>;
  /** Each job's outputs, by name (what `needs.<job>.outputs.<name>` can read). */
  jobOutputs: Record<string, string[]>;
  /** Every step after the plan job that uses one of this repository's actions. */
  steps: WiredStep[];
  /** The `if:` of the db job's "Install dbmate" step. */
  dbmateInstalledWhen: string;
}

export interface WiredStep {
  job: string;
  /** The step's id, or its 1-based position in the job. */
  step: string;
  /** The action's folder under actions/ (its name in src/inputs). */
  action: string;
  /** The `with:` values as written, expressions and all. */
  with: Record<string, string>;
  /** The step's `if:` as written, when it has one: a step that cannot run with these inputs is not checked. */
  if?: string;
}
