import { describe, expect, it } from 'vitest';
import { toAnnotations } from '../../src/report/annotations.js';
import { toJsonReport } from '../../src/report/json-report.js';
import { toJUnit } from '../../src/report/junit.js';
import { toSarif } from '../../src/report/sarif.js';
import { toSummaryMarkdown } from '../../src/report/summary.js';
import { sarifValidator } from '../support/sarif-schema.js';
import { notCheckedOptional, notCheckedRequired, outcomeOf, passing } from './fixtures.js';
import { xmlProblems } from './xml-check.js';

// Rules that judged nothing, in every report: a missing required fact blocks, an optional one is only said.
const outcome = outcomeOf([passing, notCheckedOptional, notCheckedRequired]);

describe('rules not checked in the reports', () => {
  it('the outcome fixture blocks on the required one only', () => {
    expect(outcome.decision).toBe('fail');
    expect(outcome.blocking.map((r) => r.ruleId)).toEqual(['preflight.tls-valid']);
  });

  it('JSON: the status, the missing facts and the counts', () => {
    const report = toJsonReport(outcome, { tool: { name: 't', version: '1' } });
    expect(report.counts).toMatchObject({ notChecked: 2, notCheckedRequired: 1, passed: 1, total: 3 });
    expect(report.blocking).toEqual(['preflight.tls-valid']);
    const tls = report.results.find((r) => r.ruleId === 'preflight.tls-valid');
    expect(tls).toMatchObject({
      status: 'not-checked',
      missingFacts: [{ pointer: '/tls', required: true, collectedBy: 'the tls-hosts input' }],
    });
  });

  it('SARIF: kind open with level none (as SARIF requires of a kind other than fail), and whether it blocks', () => {
    const log = toSarif(outcome, { toolVersion: '1' });
    expect(sarifValidator()(log)).toBe(true);
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.kind, r.level, r.properties?.blocking])).toEqual([
      ['preflight.vercel-env', 'open', 'none', false],
      ['preflight.tls-valid', 'open', 'none', true],
    ]);
    expect(results[1]?.message.text).toContain(
      '/tls: is required but was not collected: give the tls-hosts input',
    );
    expect(log.runs[0]?.properties?.counts).toMatchObject({ notChecked: 2, notCheckedRequired: 1 });
  });

  it('JUnit: a missing required fact is a failure of type not-checked, an optional one skipped with why', () => {
    const xml = toJUnit(outcome);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<testsuites name="deploy-gates" tests="3" failures="1" errors="0" skipped="1">');
    expect(xml).toMatch(
      /name="preflight\.tls-valid: [^"]*">\n {6}<failure message="Not checked, and the policy requires it: \/tls was not collected[^"]*" type="not-checked">/,
    );
    expect(xml).toContain(
      '<skipped message="not checked: /vercel was not collected (collected by the vercel-token input)"/>',
    );
  });

  it('summary: the count, a Not checked section naming what collects each fact, and how to fix', () => {
    const md = toSummaryMarkdown(outcome, { title: 'Preflight' });
    expect(md).toContain(
      '**1** passed · **0** failed · **0** waived · **0** errors · **2** not checked (1 required)',
    );
    expect(md).toContain('| ❔ not checked |');
    const section = md.slice(md.indexOf('### Not checked'), md.indexOf('### How to fix'));
    expect(section.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- **preflight.tls-valid** (required): /tls was not collected (collected by the tls-hosts input)',
      '- **preflight.vercel-env** (optional): /vercel was not collected (collected by the vercel-token input)',
    ]);
    expect(md).toContain(
      '- **preflight.tls-valid** (low): not checked — /tls is required but was not collected: give the tls-hosts input.',
    );
  });

  it('annotations: an error for the missing required fact, a notice for the optional one', () => {
    expect(toAnnotations(outcome).map((a) => `${a.level} ${a.title}`)).toEqual([
      'error preflight.tls-valid (low)',
      'notice preflight.vercel-env not checked',
    ]);
  });
});
