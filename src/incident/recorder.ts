import {
  type IncidentOutcome,
  type IncidentRun,
  incidentTitle,
  newIssueBody,
  readLedger,
  updateBody,
} from './body.js';
import type { IncidentIssues, IssueRef } from './issues.js';
import { emptyLedger, type Ledger } from './ledger.js';
import type { StepRecord } from './step-record.js';

/** What the block shows at a given moment; the recorder adds the run, the reason and the ledger. */
export interface IncidentContent {
  outcome: IncidentOutcome;
  facts: [string, string][];
  steps: [string, string, StepRecord][];
}

/**
 * Keeps this run's incident issue and its ledger. The issue is looked up once (the explicit `incident`
 * issue, else by this run's marker), and every write re-reads the body first, so edits people made in
 * the meantime (ticked checklist items, notes) are kept.
 */
export class IncidentRecorder {
  private issue: IssueRef | undefined;
  private ledger: Ledger;
  private loaded = false;
  private damaged = false;

  constructor(
    private readonly issues: IncidentIssues,
    private readonly run: IncidentRun,
    private readonly reason: string,
    private readonly content: () => IncidentContent,
    private readonly explicitIssue?: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.ledger = emptyLedger(run.runId);
  }

  get url(): string | undefined {
    return this.issue?.url;
  }

  get number(): number | undefined {
    return this.issue?.number;
  }

  /** The ledger as read from (or written to) the issue; undefined before that or when it was damaged. */
  knownLedger(): Ledger | undefined {
    return this.loaded && !this.damaged ? this.ledger : undefined;
  }

  /** Finds the issue and reads the ledger (once). Throws when GitHub cannot be reached. */
  async load(): Promise<void> {
    if (this.loaded) return;
    this.issue =
      this.explicitIssue !== undefined
        ? await this.issues.get(this.explicitIssue)
        : await this.issues.findByMarker();
    if (this.issue) {
      const read = readLedger(this.issue.body, this.run.runId);
      if (read.kind === 'found') this.ledger = read.ledger;
      this.damaged = read.kind === 'damaged';
    }
    this.loaded = true;
  }

  /**
   * The ledger as earlier attempts left it. Throws when it was damaged by an edit: then nobody can tell
   * which hooks ran, and guessing could run `kubectl rollout undo` twice.
   */
  async trustedLedger(): Promise<Ledger> {
    await this.load();
    if (this.damaged) {
      throw new Error(
        `the rollback ledger in incident #${this.issue?.number} was edited and cannot be read, so it is unknown which hooks already ran. ` +
          'Run the remaining hooks by hand, or restore the ledger comment from the issue history, then re-run',
      );
    }
    return this.ledger;
  }

  /** Applies `change` to the ledger and writes the block (creating the issue when there is none yet). */
  async write(change?: (ledger: Ledger) => void): Promise<IssueRef> {
    await this.load();
    change?.(this.ledger);
    this.noteAttempt();
    const content = this.content();
    const view = {
      run: this.run,
      reason: this.reason,
      ...content,
      ledger: this.ledger,
      updatedAt: this.now().toISOString(),
    };
    if (this.issue === undefined) {
      this.issue = await this.issues.create(incidentTitle(this.run, this.reason), newIssueBody(view));
    } else {
      const fresh = await this.issues.get(this.issue.number);
      this.issue = await this.issues.update(fresh.number, updateBody(fresh.body, view));
      if (!fresh.labels.includes(this.issues.label) && this.explicitIssue !== undefined) {
        await this.issues.addLabel(fresh.number);
      }
    }
    this.damaged = false;
    return this.issue;
  }

  private noteAttempt(): void {
    const steps = Object.fromEntries(this.content().steps.map(([name, , r]) => [name, r.status]));
    const entry = this.ledger.attempts.find((a) => a.attempt === this.run.attempt);
    if (entry) entry.steps = steps;
    else this.ledger.attempts.push({ attempt: this.run.attempt, at: this.now().toISOString(), steps });
    this.ledger.attempts.sort((a, b) => a.attempt - b.attempt);
  }
}
