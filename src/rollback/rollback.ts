import { errorMessage } from '../errors.js';
import type { IncidentOutcome, IncidentRun } from '../incident/body.js';
import { runUrl } from '../incident/body.js';
import type { IncidentIssues } from '../incident/issues.js';
import type { NotificationInput, PostOptions } from '../incident/notify.js';
import { type IncidentContent, IncidentRecorder } from '../incident/recorder.js';
import type { RunContext, Runner } from '../runner/runner.js';
import { childEnvironment } from '../util/child-env.js';
import { appStep, type ProductionControl } from './app-step.js';
import { hooksStep } from './hooks-step.js';
import type { RollbackInputs } from './inputs.js';
import { recordStep } from './record-step.js';
import { runSteps, type Step, type StepLog } from './steps.js';
import { rows as rowCount } from './written-since.js';

export interface RollbackDeps {
  control: ProductionControl;
  issues: IncidentIssues;
  /** The database step; undefined when the database is not part of this rollback (reported as skipped). */
  database?: Step;
  verify?: Step;
  /** Marks the failed deployment's GitHub deployment; returns what it did. */
  deploymentStatus?: (outcome: () => IncidentOutcome) => Promise<string>;
  webhookPost?: PostOptions;
  now?: () => Date;
}

function skippedStep(name: string, title: string, detail: string): Step {
  return { name, title, run: async () => ({ status: 'skipped', detail }) };
}

function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** What the whole run found and did, gathered from the steps' data for outputs, summary and records. */
export function rollbackFacts(log: StepLog, inputs: RollbackInputs) {
  const app = log.get('app');
  const db = log.get('database');
  const verify = log.get('verify');
  return {
    failedDeployment: inputs.failedDeploymentId || str(app?.data?.failedDeploymentId),
    appRestoredTo: app && app.status !== 'failed' ? str(app.data?.appRestoredTo) : '',
    databaseRestoredFrom: db && db.status !== 'failed' ? str(db.data?.restoredFrom) : '',
    safetyBackupId: str(db?.data?.safetyBackupId),
    laterSafetyBackupId: str(db?.data?.laterSafetyBackupId),
    rowsWrittenSinceFirstAttempt: str(db?.data?.rowsWrittenSinceFirstAttempt),
    rowsWrittenSinceBackup: str(db?.data?.rowsWrittenSinceBackup),
    writesSinceBackup: Array.isArray(db?.data?.writesSinceBackup) ? db.data.writesSinceBackup : [],
    verifyUrl: str(verify?.data?.url) || inputs.verify.url,
  };
}

export function outcomeOf(log: StepLog, finished: boolean): IncidentOutcome {
  if (log.failed().length > 0) return 'incomplete';
  return finished ? 'rolled-back' : 'in-progress';
}

export function factRows(facts: ReturnType<typeof rollbackFacts>): [string, string][] {
  const rows: [string, string][] = [];
  if (facts.failedDeployment) rows.push(['Failed deployment', facts.failedDeployment]);
  if (facts.appRestoredTo) rows.push(['Production serves', facts.appRestoredTo]);
  if (facts.databaseRestoredFrom) rows.push(['Database restored from backup', facts.databaseRestoredFrom]);
  if (facts.safetyBackupId) rows.push(['Safety backup (database before the restore)', facts.safetyBackupId]);
  if (facts.rowsWrittenSinceBackup)
    rows.push(['Rows written since the pre-deploy backup', facts.rowsWrittenSinceBackup]);
  if (facts.laterSafetyBackupId)
    rows.push([
      'Safety backup of the rows written after the first attempt',
      `${facts.laterSafetyBackupId} (at least ${rowCount(Number(facts.rowsWrittenSinceFirstAttempt))})`,
    ]);
  if (facts.verifyUrl) rows.push(['Checked URL', facts.verifyUrl]);
  return rows;
}

/** What the steps recorded, and where the incident is, for the outputs and the summary. */
export interface RollbackResult {
  log: StepLog;
  run: IncidentRun;
  /** The incident issue this run wrote, when it got that far. */
  incidentUrl: string | undefined;
}

/**
 * The rollback: app, database, hooks, verify, record, each looking at the real state first. The incident
 * issue is opened right after the app step (the app comes first: it is what patients and clinics see) and
 * updated after each step, so a runner that dies mid-way leaves a record of how far it got.
 */
export async function runRollback(
  runner: Runner,
  ctx: RunContext,
  inputs: RollbackInputs,
  deps: RollbackDeps,
): Promise<RollbackResult> {
  const now = deps.now ?? (() => new Date());
  const run: IncidentRun = {
    runId: ctx.runId,
    attempt: ctx.runAttempt,
    repository: ctx.repository,
    serverUrl: ctx.serverUrl,
    workflow: ctx.workflow,
    sha: ctx.sha,
    actor: ctx.actor,
  };
  let current: StepLog | undefined;
  let finished = false;
  const content = (): IncidentContent => ({
    outcome: current ? outcomeOf(current, finished) : 'in-progress',
    facts: current ? factRows(rollbackFacts(current, inputs)) : [],
    steps: (current?.entries() ?? [])
      .filter(([name]) => name !== 'record')
      .map(([name, record]) => [name, current?.title(name) ?? name, record]),
  });
  const recorder = new IncidentRecorder(
    deps.issues,
    run,
    inputs.reason,
    content,
    inputs.github.incident,
    now,
  );

  const log = { info: (m: string) => runner.info(m), warning: (m: string) => runner.warning(m) };
  const message = (): NotificationInput => {
    const l = current as StepLog;
    return {
      repository: run.repository,
      runId: run.runId,
      attempt: run.attempt,
      runUrl: runUrl(run),
      outcome: outcomeOf(l, true),
      reason: inputs.reason,
      facts: factRows(rollbackFacts(l, inputs)),
      steps: l
        .entries()
        .filter(([name]) => name !== 'record')
        .map(([name, r]) => ({ title: l.title(name), status: r.status, detail: r.detail })),
      ...(recorder.url ? { incidentUrl: recorder.url } : {}),
    };
  };

  const steps: Step[] = [
    appStep({
      control: deps.control,
      previousDeploymentId: inputs.previousDeploymentId,
      failedDeploymentId: inputs.failedDeploymentId,
      log,
    }),
    deps.database ??
      skippedStep('database', 'Database', 'No database-url was given, or restore-database is never.'),
    hooksStep({
      hooks: inputs.hooks,
      ledger: recorder,
      attempt: run.attempt,
      run: () => ({
        cwd: ctx.workspace,
        env: childEnvironment(runner.env, {
          DEPLOY_GATES_ROLLBACK_RUN_ID: run.runId,
          DEPLOY_GATES_ROLLBACK_RUN_ATTEMPT: String(run.attempt),
          DEPLOY_GATES_ROLLBACK_FAILED_DEPLOYMENT: inputs.failedDeploymentId,
          DEPLOY_GATES_ROLLBACK_PREVIOUS_DEPLOYMENT: str(current?.get('app')?.data?.appRestoredTo),
        }),
      }),
      log,
      now,
    }),
    deps.verify ?? skippedStep('verify', 'Verify', 'No verify-url was given.'),
    recordStep({
      incident: recorder,
      attempt: run.attempt,
      ...(deps.deploymentStatus
        ? {
            deploymentStatus: () =>
              deps.deploymentStatus?.(() => outcomeOf(current as StepLog, true)) ?? Promise.resolve(''),
          }
        : {}),
      ...(inputs.notifyWebhook
        ? {
            webhook: {
              url: inputs.notifyWebhook,
              message,
              post: { ...deps.webhookPost, log: log.info },
            },
          }
        : {}),
      now,
    }),
  ];

  let progressWrites = true;
  const result = await runSteps(steps, {
    runId: run.runId,
    attempt: run.attempt,
    now,
    around: (step, fn) => runner.group(step.title, fn),
    onRecord: async (name, record, l) => {
      current = l;
      finished = l.entries().length >= steps.length - 1;
      const line = `${l.title(name)}: ${record.status}. ${record.detail}`;
      if (record.status === 'failed') runner.warning(line);
      else runner.info(line);
      if (name === 'record' || !progressWrites) return;
      try {
        await recorder.write();
      } catch (err) {
        // Progress notes are best effort; the record step writes the incident again and fails if it cannot.
        progressWrites = false;
        runner.warning(
          `The incident issue could not be updated after the ${name} step: ${errorMessage(err)}`,
        );
      }
    },
  });
  current = result;
  finished = true;

  return { log: result, run, incidentUrl: recorder.url };
}
