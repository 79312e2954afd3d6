import type { JsonObject } from '../util/deep-merge.js';
import { sha256 } from '../util/hash.js';
import type { Counts, GateOutcome, Mode, RuleResult, Severity, WaiverReport } from './types.js';

/**
 * A gate's outcome. `factsSha256` is worked out when first read (a getter of the class, so no copy of
 * the outcome carries it: read it from the outcome): hashing the facts costs more than evaluating them,
 * and callers that evaluate many documents (policy tests, the CLI) never read it.
 */
export class Outcome implements GateOutcome {
  readonly decision: GateOutcome['decision'];
  readonly mode: Mode;
  readonly failOn: Severity;
  readonly now: string;
  readonly counts: Counts;
  readonly results: RuleResult[];
  readonly blocking: RuleResult[];
  readonly waivers: WaiverReport[];
  readonly policies: GateOutcome['policies'];
  readonly #facts: JsonObject;
  #factsSha256: string | undefined;

  constructor(fields: Omit<GateOutcome, 'factsSha256' | 'decision'>, facts: JsonObject) {
    this.decision = fields.blocking.length > 0 ? 'fail' : 'pass';
    this.mode = fields.mode;
    this.failOn = fields.failOn;
    this.now = fields.now;
    this.counts = fields.counts;
    this.results = fields.results;
    this.blocking = fields.blocking;
    this.waivers = fields.waivers;
    this.policies = fields.policies;
    this.#facts = facts;
  }

  get factsSha256(): string {
    this.#factsSha256 ??= sha256(JSON.stringify(this.#facts));
    return this.#factsSha256;
  }
}
