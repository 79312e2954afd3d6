export type StepStatus = 'done' | 'skipped' | 'failed';

/**
 * One step as recorded, with the run it was recorded in, so re-runs are traceable. The incident issue,
 * its ledger and the notification show these records; the rollback's steps produce them.
 */
export interface StepRecord {
  status: StepStatus;
  detail: string;
  runId: string;
  attempt: number;
  startedAt: string;
  finishedAt: string;
  data?: Record<string, unknown>;
}
