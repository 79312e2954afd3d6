import { describe, expect, it } from 'vitest';
import { toJUnit } from '../../src/report/junit.js';
import { criticalFailure, mixedOutcome, outcomeOf, passing } from './fixtures.js';
import { xmlProblems } from './xml-check.js';

/** The text of the element or self-closing tag that starts with `start`, for focused assertions. */
function element(xml: string, start: string): string {
  const from = xml.indexOf(start);
  if (from === -1) throw new Error(`not found: ${start}`);
  const tag = xml.slice(from + 1).match(/^[\w-]+/)?.[0] ?? '';
  const selfClose = xml.indexOf('/>', from);
  const nextOpen = xml.indexOf('>', from);
  if (selfClose !== -1 && selfClose + 1 === nextOpen) return xml.slice(from, selfClose + 2);
  const end = xml.indexOf(`</${tag}>`, from);
  return xml.slice(from, end + tag.length + 3);
}

describe('xmlProblems (the test helper)', () => {
  it('finds the mistakes it is meant to find', () => {
    expect(xmlProblems('<a><b></a>')).not.toEqual([]);
    expect(xmlProblems('<a>x & y</a>')).toEqual(['1 unescaped "&"']);
    expect(xmlProblems('<a t="<"/>')).not.toEqual([]);
    expect(xmlProblems('<a>1 < 2</a>')).not.toEqual([]);
    expect(xmlProblems('<a>\u0001</a>')).toEqual(['character U+0001 is not allowed in XML 1.0']);
    expect(xmlProblems('<?xml version="1.0"?>\n<a t="&amp;&#10;">x &lt; y</a>')).toEqual([]);
  });
});

describe('toJUnit', () => {
  const xml = toJUnit(mixedOutcome());

  it('is well-formed XML', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xmlProblems(xml)).toEqual([]);
  });

  it('counts tests, failures, errors and skipped overall', () => {
    expect(xml).toContain('<testsuites name="deploy-gates" tests="6" failures="3" errors="1" skipped="1">');
  });

  it('has one suite per policy, with its own counts and properties', () => {
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" ([^>]*)>/g)].map((m) => [m[1], m[2]]);
    expect(suites).toEqual([
      ['security', 'tests="3" failures="1" errors="1" skipped="0" timestamp="2025-06-01T12:00:00.000Z"'],
      ['operations', 'tests="2" failures="1" errors="0" skipped="1" timestamp="2025-06-01T12:00:00.000Z"'],
      ['builtin-hipaa', 'tests="1" failures="1" errors="0" skipped="0" timestamp="2025-06-01T12:00:00.000Z"'],
    ]);
    expect(element(xml, '<testsuite name="operations"')).toContain(
      [
        '    <properties>',
        '      <property name="decision" value="fail"/>',
        '      <property name="mode" value="enforce"/>',
        '      <property name="failOn" value="high"/>',
        '      <property name="policyVersion" value="1.2.0"/>',
        '      <property name="policySource" value="policies/ops.json"/>',
        '    </properties>',
      ].join('\n'),
    );
  });

  it('writes a passing rule as an empty test case', () => {
    expect(xml).toContain('<testcase classname="security" name="tls-min-version: TLS 1.2 or newer"/>');
  });

  it('writes a failure with its severity, violations, remediation and reference', () => {
    expect(element(xml, '<testcase classname="security" name="no-public-db')).toBe(
      [
        '<testcase classname="security" name="no-public-db: Database is not publicly reachable">',
        '      <failure message="The database accepts connections from the internet" type="critical">' +
          'The database accepts connections from the internet',
        '',
        'Violations:',
        '  /database/publicAccess: must be false',
        '  /database/allowedCidrs/0: must not be 0.0.0.0/0',
        '',
        'Remediation: Restrict the database to the private network.',
        'Reference: HIPAA §164.312(e)(1)',
        'Help: https://example.com/rules/no-public-db</failure>',
        '    </testcase>',
      ].join('\n'),
    );
  });

  it('writes an error as <error>', () => {
    expect(element(xml, '<testcase classname="security" name="backup-verified')).toContain(
      '<error message="Rule schema failed to compile: unknown format &quot;sha256&quot;" type="error">',
    );
  });

  it('writes a waived rule as skipped, naming the waiver', () => {
    expect(element(xml, '<testcase classname="operations" name="change-window')).toContain(
      '<skipped message="waived: Emergency security patch (approved by cto@example.com, ticket SEC-42, ' +
        'expires 2025-06-06T00:00:00Z)"/>',
    );
  });

  it('escapes markup in messages, names and details', () => {
    const hostile = {
      ...criticalFailure,
      ruleId: 'r<1>',
      title: `Tom & "Jerry's" <b>`,
      message: `<script>alert("x")</script> & 'quotes'\nsecond line`,
      remediation: 'Use <![CDATA[ ]]> & stop',
    };
    const out = toJUnit(outcomeOf([hostile, passing]));
    expect(xmlProblems(out)).toEqual([]);
    expect(out).not.toContain('<script>');
    expect(out).toContain('name="r&lt;1&gt;: Tom &amp; &quot;Jerry&apos;s&quot; &lt;b&gt;"');
    expect(out).toContain(
      'message="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quotes&apos;&#10;second line"',
    );
    expect(out).toContain('Remediation: Use &lt;![CDATA[ ]]&gt; &amp; stop');
  });

  it('drops characters XML 1.0 cannot carry', () => {
    const out = toJUnit(
      outcomeOf([{ ...criticalFailure, message: 'nul\u0000 bell\u0007 lone\ud800 ok\u{1f600} end\uffff' }]),
    );
    expect(xmlProblems(out)).toEqual([]);
    expect(out).toContain('message="nul bell lone ok\u{1f600} end"');
  });

  it('writes an empty report when there are no results', () => {
    expect(toJUnit(outcomeOf([]))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="deploy-gates" tests="0" failures="0" errors="0" skipped="0">\n</testsuites>\n',
    );
  });
});
