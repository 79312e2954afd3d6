import type { Location, Log, ReportingDescriptor, Result, Suppression } from 'sarif';
import { isMissingRequired } from '../policy/needs.js';
import type {
  GateOutcome,
  RuleResult,
  Severity,
  SourceLocation,
  Violation,
  Waiver,
} from '../policy/types.js';
import { sha256 } from '../util/hash.js';
import { isWithin } from '../util/json-pointer.js';
import { describeWaiver, shownViolations, violationLine } from './result-text.js';

export interface SarifOptions {
  toolVersion: string;
  informationUri?: string;
  /**
   * The workflow file that ran the gate (from GITHUB_WORKFLOW_REF), where a result of a builtin policy
   * is shown: code scanning refuses a result without a file, and the repository has no builtin policy.
   */
  workflowFile?: string;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const FINGERPRINT_KEY = 'deployGates/v1';

const LEVEL: Record<Severity, Result.level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

// GitHub code scanning ranks alerts by this property (a string holding a CVSS-like score):
// over 9.0 is critical, 7.0–8.9 high, 4.0–6.9 medium, below that low.
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

/** SARIF 2.1.0 for GitHub code scanning: one run, a rule per rule id, a result per non-passing rule. */
export function toSarif(outcome: GateOutcome, opts: SarifOptions): Log {
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const result of outcome.results) {
    if (ruleIndex.has(result.ruleId)) continue;
    ruleIndex.set(result.ruleId, rules.length);
    rules.push(toReportingDescriptor(result));
  }

  const results = outcome.results
    .filter((result) => result.status !== 'pass')
    .flatMap((result) => toSarifResults(result, ruleIndex.get(result.ruleId) ?? -1, opts));

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'deploy-gates',
            version: opts.toolVersion,
            ...(opts.informationUri === undefined ? {} : { informationUri: opts.informationUri }),
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: outcome.results.every((result) => result.status !== 'error'),
            endTimeUtc: outcome.now,
          },
        ],
        results,
        properties: {
          decision: outcome.decision,
          mode: outcome.mode,
          failOn: outcome.failOn,
          counts: { ...outcome.counts },
        },
      },
    ],
  };
}

function toReportingDescriptor(result: RuleResult): ReportingDescriptor {
  return {
    id: result.ruleId,
    name: result.title,
    shortDescription: { text: result.title },
    fullDescription: { text: result.reference },
    help: { text: result.remediation, markdown: helpMarkdown(result) },
    ...(isAbsoluteUri(result.helpUri) ? { helpUri: result.helpUri } : {}),
    defaultConfiguration: { level: LEVEL[result.severity] },
    properties: {
      // The SARIF schema requires property-bag tags to be unique.
      tags: [...new Set(result.tags)],
      severity: result.severity,
      policy: result.policyId,
      'security-severity': SECURITY_SEVERITY[result.severity],
    },
  };
}

function helpMarkdown(result: RuleResult): string {
  const lines = [`**Remediation:** ${result.remediation}`, '', `**Reference:** ${result.reference}`];
  if (isAbsoluteUri(result.helpUri)) lines.push('', `More: ${result.helpUri}`);
  return lines.join('\n');
}

/**
 * A violation whose facts say where it is (a line of a migration, say) becomes a result of its own at that
 * line, so code scanning shows it there; the others stay together in one result at the rule.
 */
function toSarifResults(result: RuleResult, ruleIndex: number, opts: SarifOptions): Result[] {
  const shown = shownViolations(result);
  const located = shown.filter((v) => v.location);
  if (located.length === 0) return [toSarifResult(result, ruleIndex, opts)];
  const rest = shown.filter((v) => !v.location);
  const waived = result.status === 'waived';
  const own = (v: Violation): RuleResult => ({
    ...result,
    ...(waived ? { waivedViolations: [v] } : { violations: [v] }),
    waivers: result.waivers.filter((w) => isWithin(v.pointer, w.scope ?? '')),
  });
  return [
    ...located.map((v) => toSarifResult(own(v), ruleIndex, opts, v.location)),
    ...(rest.length > 0
      ? [
          toSarifResult(
            { ...result, ...(waived ? { waivedViolations: rest } : { violations: rest }) },
            ruleIndex,
            opts,
          ),
        ]
      : []),
  ];
}

function toSarifResult(
  result: RuleResult,
  ruleIndex: number,
  opts: SarifOptions,
  at?: SourceLocation,
): Result {
  // SARIF's `open`: the tool could not tell pass from fail. A kind other than `fail` takes level `none`
  // (SARIF 2.1.0 §3.27.9); whether it blocked is in the properties and the run's decision.
  const notChecked = result.status === 'not-checked';
  const sarifResult: Result = {
    ruleId: result.ruleId,
    ruleIndex,
    level: notChecked ? 'none' : result.status === 'error' ? 'error' : LEVEL[result.severity],
    kind: notChecked ? 'open' : 'fail',
    message: { text: [result.message, ...shownViolations(result).map(violationLine)].join('\n') },
    locations: [at ? physical(at.file, at.line) : toLocation(result, opts)],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(result) },
  };
  if (result.status === 'waived') sarifResult.suppressions = result.waivers.map(toSuppression);
  if (result.missingFacts.length > 0) {
    sarifResult.properties = {
      notChecked: true,
      blocking: isMissingRequired(result),
      missingFacts: result.missingFacts.map((m) => ({ ...m })),
    };
  }
  return sarifResult;
}

function toLocation(result: RuleResult, opts: SarifOptions): Location {
  if (result.file !== undefined) return physical(result.file, result.line);
  // A builtin policy: shown on the workflow that ran the gate when known, else on the policy file as the
  // action ships it; the logical location names the rule either way.
  const shipped = `policies/${result.policySource.replace(/^builtin:/, '')}`;
  return {
    ...physical(opts.workflowFile || shipped, 0),
    logicalLocations: [{ fullyQualifiedName: `${result.policyId}/${result.ruleId}`, kind: 'module' }],
  };
}

function physical(file: string, line: number): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: toRelativeUri(file), uriBaseId: '%SRCROOT%' },
      ...(line >= 1 ? { region: { startLine: line } } : {}),
    },
  };
}

/** A workspace-relative path as a relative URI reference: forward slashes, each segment percent-encoded. */
export function toRelativeUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * Identifies the same finding across runs so code scanning updates one alert instead of opening
 * a new one. Waived and unwaived pointers both count: waiving a violation must not change which
 * alert it is.
 */
export function fingerprint(result: RuleResult): string {
  const pointers = [...result.violations, ...result.waivedViolations].map((violation) => violation.pointer);
  const unique = [...new Set(pointers)].sort();
  return sha256(`${result.policyId}:${result.ruleId}:${unique.join(',')}`);
}

function toSuppression(waiver: Waiver): Suppression {
  return {
    kind: 'external',
    status: 'accepted',
    justification: describeWaiver(waiver),
    properties: {
      approver: waiver.approver,
      ticket: waiver.ticket,
      expiresAt: waiver.expiresAt,
      ...(waiver.scope === undefined ? {} : { scope: waiver.scope }),
    },
  };
}

function isAbsoluteUri(uri: string | undefined): uri is string {
  return uri !== undefined && URL.canParse(uri);
}
