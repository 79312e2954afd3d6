import { readFileSync } from 'node:fs';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse, parseDocument } from 'yaml';
import type { WorkflowStrategy } from './matrix.js';

/** A `${{ }}` expression as the parser keeps it, or a plain value. */
export type Token = { expr: string } | string | number | boolean | null;

export interface WorkflowStep {
  id: string | undefined;
  name: string | undefined;
  if: string;
  uses: string | undefined;
  run: string | undefined;
  with: Record<string, Token>;
  env: Record<string, Token>;
  continueOnError: boolean;
}

/** A job that calls a reusable workflow (`jobs.<id>.uses`) instead of running steps. */
export interface WorkflowCall {
  uses: string;
  with: Record<string, Token>;
  /** `secrets: inherit` passes the caller's secrets as they are. */
  secrets: Record<string, Token> | 'inherit';
}

export interface WorkflowJob {
  id: string;
  /** `name:` as written (it may read the matrix); GitHub shows the id when there is none. */
  name: string | undefined;
  /** `strategy:` with a matrix: one job run per combination. */
  strategy?: WorkflowStrategy;
  needs: string[];
  if: string;
  environment: Token | undefined;
  outputs: Record<string, Token>;
  env: Record<string, Token>;
  steps: WorkflowStep[];
  call?: WorkflowCall;
}

export interface WorkflowFile {
  path: string;
  name: string;
  jobs: WorkflowJob[];
  /** `on.workflow_call` (or `on.workflow_dispatch`) inputs with their defaults. */
  callInputs: Record<string, { default?: unknown; required?: boolean; type?: string }>;
  callOutputs: Record<string, Token>;
}

type Raw = Record<string, unknown>;

/** Turns a raw YAML value into a token: strings holding `${{ }}` stay as they are and are interpolated later. */
function token(value: unknown): Token {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

function tokens(map: unknown): Record<string, Token> {
  if (!map || typeof map !== 'object') return {};
  return Object.fromEntries(Object.entries(map as Raw).map(([k, v]) => [k, token(v)]));
}

function ifExpression(value: unknown): string {
  if (value && typeof value === 'object' && 'expr' in value) return String((value as { expr: unknown }).expr);
  return 'success()';
}

/**
 * The workflow without `queue` in its concurrency blocks. GitHub accepts `queue: max` (pending runs are kept
 * in order instead of the newest cancelling the older); @actions/workflow-parser 0.3 and actionlint 1.7 do
 * not know the key yet. A local run has no concurrency to enforce, so the key is dropped, nothing else.
 */
export function withoutConcurrencyQueue(content: string): string {
  const doc = parseDocument(content);
  const blocks = [
    ['concurrency'],
    ...Object.keys((doc.toJS() as Raw)?.jobs ?? {}).map((j) => ['jobs', j, 'concurrency']),
  ];
  let changed = false;
  for (const path of blocks) {
    if (doc.hasIn([...path, 'queue'])) {
      doc.deleteIn([...path, 'queue']);
      changed = true;
    }
  }
  return changed ? doc.toString() : content;
}

/**
 * Reads a workflow with GitHub's own parser (which validates it and normalises `if:` with the implied
 * `success() &&`), and takes what its model leaves out (steps' `with:`) from the YAML itself.
 */
export async function loadWorkflow(path: string): Promise<WorkflowFile> {
  const content = withoutConcurrencyQueue(readFileSync(path, 'utf8'));
  const result = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors();
  if (errors.length > 0 || !result.value) {
    throw new Error(`${path} is not a valid workflow: ${errors.map((e) => e.message).join('; ')}`);
  }
  const template = await convertWorkflowTemplate(result.context, result.value);
  const templateErrors = template.errors ?? [];
  if (templateErrors.length > 0) {
    throw new Error(`${path} is not a valid workflow: ${templateErrors.map((e) => e.Message).join('; ')}`);
  }
  const raw = parse(content) as Raw;
  const rawJobs = (raw.jobs ?? {}) as Record<string, Raw>;
  const on = (raw.on ?? {}) as Raw;
  // A reusable workflow's inputs, or a manually dispatched one's.
  const call = (on.workflow_call ?? on.workflow_dispatch ?? {}) as Raw;

  const jobs: WorkflowJob[] = (template.jobs ?? []).map((job) => {
    const id = String(job.id);
    const rawJob = rawJobs[id] ?? {};
    const rawSteps = (rawJob.steps ?? []) as Raw[];
    const parsedJob = job as unknown as Raw;
    const strategy = (rawJob.strategy ?? undefined) as Raw | undefined;
    return {
      id,
      name: typeof rawJob.name === 'string' ? rawJob.name : undefined,
      ...(strategy?.matrix !== undefined
        ? {
            strategy: {
              matrix: strategy.matrix,
              failFast: strategy['fail-fast'],
              maxParallel: strategy['max-parallel'],
            },
          }
        : {}),
      needs: ((parsedJob.needs as string[] | undefined) ?? []).map(String),
      if: ifExpression(parsedJob.if),
      environment:
        rawJob.environment === undefined
          ? undefined
          : token((rawJob.environment as Raw)?.name ?? rawJob.environment),
      ...(typeof rawJob.uses === 'string'
        ? {
            call: {
              uses: rawJob.uses,
              with: tokens(rawJob.with),
              secrets: rawJob.secrets === 'inherit' ? ('inherit' as const) : tokens(rawJob.secrets),
            },
          }
        : {}),
      outputs: tokens(rawJob.outputs),
      env: tokens(rawJob.env),
      steps: ((parsedJob.steps as Raw[] | undefined) ?? []).map((step, index) => {
        const rawStep = rawSteps[index] ?? {};
        return {
          id: typeof rawStep.id === 'string' ? rawStep.id : undefined,
          name: typeof rawStep.name === 'string' ? rawStep.name : undefined,
          if: ifExpression(step.if),
          uses: typeof rawStep.uses === 'string' ? rawStep.uses : undefined,
          run: typeof rawStep.run === 'string' ? rawStep.run : undefined,
          with: tokens(rawStep.with),
          env: tokens(rawStep.env),
          continueOnError: rawStep['continue-on-error'] === true,
        };
      }),
    };
  });
  return {
    path,
    name: typeof raw.name === 'string' ? raw.name : path,
    jobs,
    callInputs: (call.inputs ?? {}) as WorkflowFile['callInputs'],
    callOutputs: Object.fromEntries(
      Object.entries((call.outputs ?? {}) as Record<string, Raw>).map(([k, v]) => [k, token(v.value)]),
    ),
  };
}
