import { describe, expect, it } from 'vitest';
import { DEFAULT_SUMMARY_MAX_BYTES, toSummaryMarkdown } from '../../src/report/summary.js';
import {
  criticalFailure,
  largeOutcome,
  lowFailure,
  mixedOutcome,
  outcomeOf,
  passing,
  result,
  waived,
} from './fixtures.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const tableRows = (markdown: string) => markdown.split('\n').filter((line) => line.startsWith('| **'));

describe('toSummaryMarkdown', () => {
  const markdown = toSummaryMarkdown(mixedOutcome(), {
    title: 'Compliance gate',
    reportPath: 'reports/gate.json',
  });

  it('starts with the title, the decision and the counts', () => {
    expect(markdown.split('\n').slice(0, 3)).toEqual([
      '## Compliance gate: ❌ Failed',
      '',
      '**1** passed · **3** failed · **1** waived · **1** errors (6 rules; mode enforce, fail-on high)',
    ]);
  });

  it('says passed when nothing blocks', () => {
    const out = toSummaryMarkdown(outcomeOf([passing, lowFailure]), { title: 'Gate' });
    expect(out.split('\n')[0]).toBe('## Gate: ✅ Passed');
  });

  it('says what would have failed in audit mode', () => {
    const audit = mixedOutcome({ mode: 'audit', decision: 'pass' });
    expect(toSummaryMarkdown(audit, { title: 'Gate' }).split('\n')[0]).toBe('## Gate: ⚠️ Audit: would fail');
    const cleanAudit = outcomeOf([passing], { mode: 'audit' });
    expect(toSummaryMarkdown(cleanAudit, { title: 'Gate' }).split('\n')[0]).toBe('## Gate: ✅ Passed');
  });

  it('lists failures first, most severe first, then errors, waived and passes', () => {
    expect(tableRows(markdown).map((row) => row.split(' | ').slice(0, 3).join(' | '))).toEqual([
      '| **no-public-db** Database is not publicly reachable | critical | ❌ fail',
      '| **audit-log-retention** Audit logs are kept six years | medium | ❌ fail',
      '| **runbook-linked** Runbook is linked | low | ❌ fail',
      '| **backup-verified** A verified backup exists | high | ⚠️ error',
      '| **change-window** Deploy inside the change window | high | 🛡️ waived',
      '| **tls-min-version** TLS 1.2 or newer | high | ✅ pass',
    ]);
  });

  it("does not repeat a passing rule's title in its message cell", () => {
    const engineStyle = { ...passing, message: passing.title };
    const row = tableRows(toSummaryMarkdown(outcomeOf([engineStyle]), { title: 'Gate' }))[0];
    expect(row?.split(' | ').slice(0, 4)).toEqual([
      '| **tls-min-version** TLS 1.2 or newer',
      'high',
      '✅ pass',
      '',
    ]);
  });

  it('links the reference to the help page', () => {
    expect(tableRows(markdown)[0]).toBe(
      '| **no-public-db** Database is not publicly reachable | critical | ❌ fail | ' +
        'The database accepts connections from the internet | ' +
        '[HIPAA §164.312(e)(1)](https://example.com/rules/no-public-db) |',
    );
  });

  it('escapes pipes, newlines, HTML and Markdown in untrusted text', () => {
    const hostile = result({
      ruleId: 'r|1',
      message: 'a | b\nc <img src=x onerror=alert(1)> & [link](javascript:alert(1)) ![t](http://x/t.png)',
      reference: '<b>ref</b>',
      helpUri: 'javascript:alert(1)',
    });
    const [row] = tableRows(toSummaryMarkdown(outcomeOf([hostile]), { title: 'T <i>' }));
    expect(row).toBe(
      '| **r\\|1** Title of r\\|1 | high | ❌ fail | ' +
        'a \\| b c &lt;img src=x onerror=alert(1)&gt; &amp; \\[link\\](javascript:alert(1)) !\\[t\\](http://x/t.png) | ' +
        '&lt;b&gt;ref&lt;/b&gt; |',
    );
    expect(toSummaryMarkdown(outcomeOf([hostile]), { title: 'T <i>' })).toContain(
      '## T &lt;i&gt;: ❌ Failed',
    );
  });

  it('lists every waiver with its state and days left', () => {
    expect(markdown).toContain(
      [
        '### Waivers',
        '',
        '| Rule | Scope | State | Reason | Approver | Approver check | Ticket | Expires | Days left |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        '| change-window | /changeWindow | active | Emergency security patch | cto@example.com | not required | SEC-42 | 2025-06-06T00:00:00Z | 5 |',
        '| coverage-threshold | all | ⚠️ expiring | Legacy module | lead@example.com | not required | ENG-7 | 2025-06-04T00:00:00Z | 3 |',
        '| pen-test | all | ❌ expired (not honoured) | Vendor delay | ciso@example.com | not required | SEC-9 | 2025-05-01T00:00:00Z | -31 |',
        '| runbook-linked | /nothing | unused | Old exception | ops@example.com | not required | OPS-1 | 2025-12-31T00:00:00Z | 213 |',
        '| no-such-rule | all | unknown rule | Typo | ops@example.com | not required | OPS-2 | 2025-12-31T00:00:00Z | 213 |',
      ].join('\n'),
    );
  });

  it('says how to fix each blocking result, most severe first', () => {
    expect(markdown.slice(markdown.indexOf('### How to fix'))).toBe(
      [
        '### How to fix',
        '- **no-public-db** (critical): Restrict the database to the private network. ' +
          'Reference: [HIPAA §164.312(e)(1)](https://example.com/rules/no-public-db)',
        '- **backup-verified** (high): Fix backup-verified. Reference: Playbook §1',
        '',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the waiver and fix sections when there is nothing to say', () => {
    const out = toSummaryMarkdown(outcomeOf([passing, waived]), { title: 'Gate' });
    expect(out).not.toContain('### Waivers');
    expect(out).not.toContain('### How to fix');
    expect(out).not.toContain('omitted');
  });

  it('stays under 900,000 bytes by default with 20,000 results, keeping every failure and error', () => {
    const outcome = largeOutcome({ total: 20_000, failing: 50, errors: 20, waived: 30 });
    const out = toSummaryMarkdown(outcome, { title: 'Gate', reportPath: 'out/gate.json' });
    expect(DEFAULT_SUMMARY_MAX_BYTES).toBe(900_000);
    expect(bytes(out)).toBeLessThanOrEqual(900_000);
    // The limit is used, not wasted: the next row would not have fitted.
    expect(bytes(out)).toBeGreaterThan(899_000);

    const rows = tableRows(out);
    expect(rows.filter((row) => row.includes('| ❌ fail |'))).toHaveLength(50);
    expect(rows.filter((row) => row.includes('| ⚠️ error |'))).toHaveLength(20);
    expect(rows.filter((row) => row.includes('| 🛡️ waived |'))).toHaveLength(30);
    const omitted = 20_000 - rows.length;
    expect(omitted).toBeGreaterThan(10_000);
    expect(out).toContain(
      `\n\n${omitted} more rows omitted; the full list is in the JSON report at out/gate.json\n`,
    );
  });

  it('never exceeds a small limit, and gives failures the room before passes', () => {
    const outcome = largeOutcome({ total: 20_000, failing: 500, errors: 20, waived: 30 });
    for (const maxBytes of [20_000, 20_001, 20_002, 20_003, 33_333, 100_000]) {
      const out = toSummaryMarkdown(outcome, { title: 'Gate', maxBytes });
      expect(bytes(out)).toBeLessThanOrEqual(maxBytes);
      const rows = tableRows(out);
      expect(rows.length).toBeGreaterThan(0);
      const statuses = rows.map((row) => (row.includes('| ❌ fail |') ? 'fail' : 'other'));
      // All kept rows are failures, except errors once all 500 failures are in.
      expect(statuses.slice(0, 500).every((status) => status === 'fail')).toBe(true);
      expect(out).not.toContain('| ✅ pass |');
      expect(out).not.toContain('| 🛡️ waived |');
      expect(out).toContain(
        `\n${20_000 - rows.length} more rows omitted; the full list is in the JSON report\n`,
      );
      expect(out).toContain('### How to fix\n');
      expect(out).toMatch(/\n\d+ more fixes omitted; the full list is in the JSON report\n/);
    }
  });

  it('keeps waivers and fixes ahead of passing rows', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => result({ ruleId: `pass-${i}`, status: 'pass' }));
    const outcome = outcomeOf([criticalFailure, ...many], { waivers: mixedOutcome().waivers });
    const out = toSummaryMarkdown(outcome, { title: 'Gate', maxBytes: 10_000 });
    expect(bytes(out)).toBeLessThanOrEqual(10_000);
    expect(out).toContain('| no-such-rule | all | unknown rule |');
    expect(out).toContain('- **no-public-db** (critical)');
    expect(out).not.toContain('fixes omitted');
    expect(out).not.toContain('waivers omitted');
    expect(out).toMatch(/\n\d+ more rows omitted/);
  });

  it('cuts even an oversized title to the limit without splitting a character', () => {
    const out = toSummaryMarkdown(outcomeOf([criticalFailure]), { title: 'é'.repeat(1_000), maxBytes: 101 });
    expect(bytes(out)).toBeLessThanOrEqual(101);
    expect(out).toBe(`## ${'é'.repeat(49)}`);
  });
});
