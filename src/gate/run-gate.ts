import { decideGate } from '../policy/gate.js';
import type { GateOutcome, Mode } from '../policy/types.js';
import type { SummaryOptions } from '../report/summary.js';
import type { InputReader } from '../runner/inputs.js';
import { type RunContext, type Runner, runContext } from '../runner/runner.js';
import type { JsonObject } from '../util/deep-merge.js';
import { type GateInputs, readGateInputs } from './gate-inputs.js';
import { prepareGate } from './prepare-gate.js';
import { publishOutcome } from './publish-outcome.js';

/** What a gate action's functions are given. */
export interface GateStep {
  runner: Runner;
  ctx: RunContext;
  input: InputReader;
  gate: GateInputs;
}

/** The facts a gate action measured, merged (`now` included), and the clock they were judged by. */
export interface CollectedFacts {
  facts: JsonObject;
  now: Date;
  /** Overrides the `mode` input, for an action whose own input says whether it enforces. */
  mode?: Mode;
}

/**
 * Judges facts against the action's policies, for an action that must know the decision before it acts
 * (db-migrate-backup runs its migrations only when the lint of them does not block).
 */
export type Decide = (collected: CollectedFacts) => Promise<GateOutcome>;

/** What goes into the job summary besides the outcome: details after it, or a layout of its own. */
export interface GateSummary {
  details?: string;
  render?: (outcome: GateOutcome, opts: SummaryOptions) => string;
}

/** One gating action: its name, its defaults, and how it reads inputs and collects facts. */
export interface GateAction<I, C extends CollectedFacts> {
  /** Opens the action's log line and summary, e.g. "Preflight". */
  title: string;
  /** Names the default report file, `<reportName>-<step>.json` under RUNNER_TEMP. */
  reportName: string;
  /** The policies when the `policies` input is empty. */
  policies?: string;
  /** Policies loaded whatever the `policies` input says: the checks a workflow must not be able to drop. */
  requiredPolicies?: readonly string[];
  /** The JUnit file when the `junit-file` input is empty; without it, JUnit is written only when asked. */
  junitFile?: (ctx: RunContext) => string;
  /** The action's own inputs, read and checked before policies are loaded and anything is measured. */
  readInputs(step: GateStep): I | Promise<I>;
  collect(step: GateStep, inputs: I, decide: Decide): Promise<C>;
  /** After the decision, before it is published: the action's own outputs and files, and its summary. */
  decided?(
    step: GateStep,
    outcome: GateOutcome,
    collected: C,
    inputs: I,
  ): GateSummary | undefined | Promise<GateSummary | undefined>;
}

/**
 * The sequence every gating action shares (its declared secrets already masked by runAction): read and
 * check every input and file, collect the facts, decide, publish. Nothing is measured or written before all input is known to be good.
 */
export async function runGate<I, C extends CollectedFacts>(
  runner: Runner,
  action: GateAction<I, C>,
): Promise<void> {
  const ctx = runContext(runner.env);
  const input: InputReader = (name) => runner.input(name);
  const read = readGateInputs(input, ctx, { reportName: action.reportName, policies: action.policies });
  const required = (action.requiredPolicies ?? []).filter((p) => !read.policySpecs.includes(p));
  const gate: GateInputs = {
    ...read,
    policySpecs: [...read.policySpecs, ...required],
    junitFile: read.junitFile ?? action.junitFile?.(ctx),
  };
  const step: GateStep = { runner, ctx, input, gate };
  const inputs = await action.readInputs(step);
  const prepared = await prepareGate(gate, ctx.workspace, ctx.apiUrl);

  const decide: Decide = (collected) =>
    decideGate({
      ...prepared,
      facts: collected.facts,
      failOn: gate.failOn,
      mode: collected.mode ?? gate.mode,
      now: collected.now,
    });
  const collected = await action.collect(step, inputs, decide);
  const outcome = await decide(collected);
  const summary = await action.decided?.(step, outcome, collected, inputs);
  await publishOutcome(runner, ctx, outcome, gate, action.title, summary?.details, summary?.render);
}
