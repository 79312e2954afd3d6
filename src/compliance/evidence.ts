import type { GateOutcome, WaiverState } from '../policy/types.js';
import type { JsonObject } from '../util/deep-merge.js';
import type { ChangeWindowFacts } from './change-window.js';
import type { Clock } from './clock.js';
import type { Deployment } from './deployment.js';

export interface EvidenceSources {
  tool: { name: string; version: string };
  run: Record<string, unknown>;
  clock: Clock;
  deployment: Deployment;
  manifest: { path: string; sha256: string };
  factsFiles: { path: string; sha256: string }[];
  attestations: JsonObject;
  changeWindow: ChangeWindowFacts;
  reportFile: string;
}

const IN_FORCE: readonly WaiverState[] = ['active', 'expiring', 'unused'];

/**
 * The audit record of one compliance gate: what was deployed, which policies (version and SHA-256)
 * judged which facts (SHA-256 of the merged document, and of each file read), each rule's result, the
 * waivers honoured and those that were not, and the run that produced it.
 */
export function toEvidence(outcome: GateOutcome, src: EvidenceSources): JsonObject {
  const copy = structuredClone(outcome);
  return {
    schemaVersion: 1,
    kind: 'deploy-gates/compliance-evidence',
    generatedAt: copy.now,
    tool: src.tool,
    run: src.run,
    clock: {
      now: src.clock.now.toISOString(),
      source: src.clock.source,
      system: src.clock.system.toISOString(),
      overridden: src.clock.source !== 'system',
    },
    deployment: src.deployment,
    decision: copy.decision,
    mode: copy.mode,
    failOn: copy.failOn,
    counts: copy.counts,
    facts: {
      sha256: outcome.factsSha256,
      manifest: src.manifest,
      files: src.factsFiles,
    },
    policies: copy.policies,
    changeWindow: src.changeWindow,
    attestations: src.attestations,
    results: copy.results.map((r) => ({
      policyId: r.policyId,
      policyVersion: r.policyVersion,
      ruleId: r.ruleId,
      title: r.title,
      severity: r.severity,
      status: r.status,
      reference: r.reference,
      message: r.message,
      violations: r.violations,
      waivedViolations: r.waivedViolations,
      waivers: r.waivers,
    })),
    blocking: copy.blocking.map((r) => r.ruleId),
    waivers: {
      inForce: copy.waivers.filter((w) => IN_FORCE.includes(w.state)),
      notHonoured: copy.waivers.filter((w) => !IN_FORCE.includes(w.state)),
    },
    report: src.reportFile,
  };
}
