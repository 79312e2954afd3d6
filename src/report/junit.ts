import { isMissingRequired, missingText } from '../policy/needs.js';
import type { GateOutcome, RuleResult } from '../policy/types.js';
import { describeWaiver, violationLine } from './result-text.js';
import { escapeXmlAttribute as attr, escapeXmlText as text } from './xml-escape.js';

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * JUnit XML: a test suite per policy, a test case per rule. Waived rules and rules not checked for want
 * of an optional fact count as skipped; a rule missing a required fact is a failure, as it fails the gate.
 */
export function toJUnit(outcome: GateOutcome): string {
  const suites = groupByPolicy(outcome.results).map((results) => suiteXml(outcome, results));
  const total = tally(outcome.results);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="deploy-gates" ${tallyAttributes(total)}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** Results grouped by policy, policies in the order they first appear. */
function groupByPolicy(results: RuleResult[]): RuleResult[][] {
  const groups = new Map<string, RuleResult[]>();
  for (const result of results) {
    const group = groups.get(result.policyId);
    if (group === undefined) groups.set(result.policyId, [result]);
    else group.push(result);
  }
  return [...groups.values()];
}

function tally(results: RuleResult[]): Tally {
  return {
    tests: results.length,
    failures: results.filter((r) => r.status === 'fail' || isMissingRequired(r)).length,
    errors: results.filter((r) => r.status === 'error').length,
    skipped: results.filter(
      (r) => r.status === 'waived' || (r.status === 'not-checked' && !isMissingRequired(r)),
    ).length,
  };
}

function tallyAttributes(t: Tally): string {
  return `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}"`;
}

function suiteXml(outcome: GateOutcome, results: RuleResult[]): string {
  const [first] = results;
  if (first === undefined) return '';
  const properties: [string, string][] = [
    ['decision', outcome.decision],
    ['mode', outcome.mode],
    ['failOn', outcome.failOn],
    ['policyVersion', first.policyVersion],
    ['policySource', first.policySource],
  ];
  return [
    `  <testsuite name="${attr(first.policyId)}" ${tallyAttributes(tally(results))} timestamp="${attr(outcome.now)}">`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${attr(name)}" value="${attr(value)}"/>`),
    '    </properties>',
    ...results.map(testCaseXml),
    '  </testsuite>',
  ].join('\n');
}

/** A testcase element holding one child element, indented as the rest of the file. */
const withChild = (open: string, child: string) =>
  [`${open}>`, `      ${child}`, '    </testcase>'].join('\n');

function testCaseXml(result: RuleResult): string {
  const open = `    <testcase classname="${attr(result.policyId)}" name="${attr(`${result.ruleId}: ${result.title}`)}"`;
  switch (result.status) {
    case 'pass':
      return `${open}/>`;
    case 'fail':
      return withChild(
        open,
        `<failure message="${attr(result.message)}" type="${attr(result.severity)}">${text(details(result))}</failure>`,
      );
    case 'error':
      return withChild(
        open,
        `<error message="${attr(result.message)}" type="error">${text(details(result))}</error>`,
      );
    case 'waived': {
      const message = `waived: ${result.waivers.map(describeWaiver).join('; ')}`;
      return withChild(open, `<skipped message="${attr(message)}"/>`);
    }
    case 'not-checked': {
      if (isMissingRequired(result)) {
        return withChild(
          open,
          `<failure message="${attr(result.message)}" type="not-checked">${text(details(result))}</failure>`,
        );
      }
      const message = `not checked: ${result.missingFacts.map(missingText).join('; ')}`;
      return withChild(open, `<skipped message="${attr(message)}"/>`);
    }
  }
}

function details(result: RuleResult): string {
  const lines = [result.message];
  if (result.violations.length > 0) {
    lines.push('', 'Violations:', ...result.violations.map((v) => `  ${violationLine(v)}`));
  }
  lines.push('', `Remediation: ${result.remediation}`, `Reference: ${result.reference}`);
  if (result.helpUri !== undefined) lines.push(`Help: ${result.helpUri}`);
  return lines.join('\n');
}
