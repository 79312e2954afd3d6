import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { mergeFacts } from '../../src/policy/facts.js';
import { decideGate } from '../../src/policy/gate.js';
import { loadPolicies, loadPolicy } from '../../src/policy/load-policies.js';
import { builtinPoliciesDir } from '../../src/policy/package-root.js';
import { findPolicyTests } from '../../src/policy/policy-tests.js';
import type { Severity, Waiver } from '../../src/policy/types.js';
import { toAnnotations } from '../../src/report/annotations.js';
import { toSummaryMarkdown } from '../../src/report/summary.js';
import { policy, rule, workspace } from './helpers.js';

const NOW = new Date('2026-06-01T03:00:00Z');

/** Every violation message the builtin policies give on the facts of their own test cases. */
async function builtinViolationMessages(): Promise<string[]> {
  const dir = builtinPoliciesDir();
  const messages: string[] = [];
  for (const testFile of findPolicyTests(dir)) {
    const policyFile = testFile.replace(/\.test\.json$/, '.json');
    const loaded = await loadPolicy(policyFile, `builtin:${relative(dir, policyFile)}`, dir, 'tests');
    const { cases } = JSON.parse(readFileSync(testFile, 'utf8')) as {
      cases: { now?: string; facts: Record<string, unknown> }[];
    };
    for (const c of cases) {
      const now = new Date(c.now ?? '2026-01-15T12:00:00Z');
      const outcome = await decideGate({
        policies: [loaded],
        facts: mergeFacts([c.facts], now),
        waivers: [],
        failOn: 'low',
        mode: 'enforce',
        now,
      });
      for (const r of outcome.results)
        for (const v of r.violations) messages.push(`${r.ruleId}: ${v.message}`);
    }
  }
  return messages;
}

async function gate(
  rules: unknown[],
  facts: Record<string, unknown>,
  opts: { waivers?: Waiver[]; failOn?: Severity; mode?: 'enforce' | 'audit' } = {},
) {
  const ws = workspace({ 'p.json': policy(rules) });
  return decideGate({
    policies: await loadPolicies(['p.json'], ws),
    facts: mergeFacts([facts], NOW),
    waivers: opts.waivers ?? [],
    failOn: opts.failOn ?? 'high',
    mode: opts.mode ?? 'enforce',
    now: NOW,
  });
}

const minLines = rule('cov', {
  type: 'object',
  required: ['coverage'],
  properties: { coverage: { type: 'object', properties: { lines: { type: 'number', minimum: 95 } } } },
});

describe('evaluation', () => {
  it('passes and fails rules with violations that name the facts pointer and the value found', async () => {
    const ok = await gate([minLines], { coverage: { lines: 96 } });
    expect(ok.decision).toBe('pass');
    expect(ok.counts).toMatchObject({ passed: 1, failed: 0 });

    const bad = await gate([minLines], { coverage: { lines: 80 } });
    expect(bad.decision).toBe('fail');
    const [result] = bad.results;
    expect(result?.status).toBe('fail');
    expect(result?.violations).toEqual([
      expect.objectContaining({ pointer: '/coverage/lines', message: 'must be >= 95 (found 80)' }),
    ]);
    expect(result?.line).toBe(6); // the rule object's line in the pretty-printed policy
  });

  it('locates a violation at the file and line its fact (or the nearest fact above it) names, if relative', async () => {
    const noBigFindings = rule('small', {
      type: 'object',
      properties: {
        findings: {
          type: 'array',
          items: { type: 'object', properties: { size: { type: 'number', maximum: 1 } } },
        },
      },
    });
    const bad = await gate([noBigFindings], {
      findings: [
        { file: 'db/1.sql', line: 4, size: 2 },
        { file: '/abs/2.sql', line: 1, size: 3 },
        { file: 'db/3.sql', line: 0, size: 4 },
      ],
    });
    expect(bad.results[0]?.violations.map((v) => [v.pointer, v.location])).toEqual([
      ['/findings/0/size', { file: 'db/1.sql', line: 4 }],
      ['/findings/1/size', undefined],
      ['/findings/2/size', undefined],
    ]);
  });

  it('reports a missing property at the pointer where it should be', async () => {
    const bad = await gate([minLines], {});
    expect(bad.results[0]?.violations[0]).toMatchObject({ pointer: '/coverage', message: 'is missing' });
  });

  it('injects now so rules can compare dates with $data', async () => {
    const notExpired = rule('cert', {
      type: 'object',
      properties: {
        notAfter: { type: 'string', format: 'date-time', formatExclusiveMinimum: { $data: '/now' } },
      },
    });
    expect((await gate([notExpired], { notAfter: '2026-06-01T03:00:01Z' })).decision).toBe('pass');
    expect((await gate([notExpired], { notAfter: '2026-06-01T02:59:59Z' })).decision).toBe('fail');
  });

  it('compares facts with facts through $data in the standard keywords (maximum, const)', async () => {
    const withinLimit = rule('limit', {
      type: 'object',
      properties: {
        measured: { type: 'number', maximum: { $data: '1/limit' } },
        unit: { const: { $data: '/expectedUnit' } },
      },
    });
    expect(
      (await gate([withinLimit], { measured: 5, limit: 5, unit: 'ms', expectedUnit: 'ms' })).decision,
    ).toBe('pass');
    const over = await gate([withinLimit], { measured: 6, limit: 5, unit: 's', expectedUnit: 'ms' });
    expect(over.results[0]?.violations.map((v) => v.pointer)).toEqual(['/measured', '/unit']);
  });

  it('marks a rule whose schema does not compile as an error that fails the gate whatever its severity', async () => {
    const broken = rule('broken', { type: 'object', notAKeyword: true }, { severity: 'low' });
    const out = await gate([broken], {}, { failOn: 'critical' });
    expect(out.results[0]?.status).toBe('error');
    expect(out.results[0]?.message).toMatch(/does not compile: .*notAKeyword/);
    expect(out.counts).toMatchObject({ failed: 1, errored: 1 });
    expect(out.decision).toBe('fail');
  });

  it('fails only at or above fail-on, and audit mode keeps the decision', async () => {
    const low = rule('low', { type: 'object', required: ['x'] }, { severity: 'low' });
    const medium = rule('medium', { type: 'object', required: ['y'] }, { severity: 'medium' });
    expect((await gate([low, medium], {}, { failOn: 'high' })).decision).toBe('pass');
    const out = await gate([low, medium], {}, { failOn: 'medium' });
    expect(out.decision).toBe('fail');
    expect(out.blocking.map((r) => r.ruleId)).toEqual(['medium']);
    expect((await gate([low, medium], {}, { failOn: 'low', mode: 'audit' })).decision).toBe('fail');
  });

  it('rule-level errorMessage replaces the generic text', async () => {
    const r = rule('msg', {
      type: 'object',
      required: ['dpo'],
      errorMessage: { required: { dpo: 'the DPO was not notified' } },
    });
    expect((await gate([r], {})).results[0]?.violations[0]?.message).toBe('the DPO was not notified');
  });
});

describe('waivers', () => {
  const two = rule('two', {
    type: 'object',
    properties: {
      a: { type: 'object', properties: { n: { type: 'number', minimum: 1 } } },
      b: { type: 'object', properties: { n: { type: 'number', minimum: 1 } } },
    },
  });
  const waiver = (extra: Partial<Waiver>): Waiver => ({
    rule: 'two',
    reason: 'r',
    approver: 'cto',
    ticket: 'OPS-1',
    expiresAt: '2026-08-01T00:00:00Z',
    ...extra,
  });

  it('waives a whole rule, and counts it apart', async () => {
    const out = await gate([two], { a: { n: 0 } }, { waivers: [waiver({})] });
    expect(out.results[0]?.status).toBe('waived');
    expect(out.counts).toMatchObject({ waived: 1, failed: 0 });
    expect(out.decision).toBe('pass');
    expect(out.waivers[0]?.state).toBe('active');
  });

  it('a scoped waiver covers only violations at or below its pointer', async () => {
    const out = await gate([two], { a: { n: 0 }, b: { n: 0 } }, { waivers: [waiver({ scope: '/a' })] });
    const [r] = out.results;
    expect(r?.status).toBe('fail');
    expect(r?.violations.map((v) => v.pointer)).toEqual(['/b/n']);
    expect(r?.waivedViolations.map((v) => v.pointer)).toEqual(['/a/n']);
  });

  it('does not honour an expired waiver and says so; warns about one expiring within 14 days', async () => {
    const expired = await gate(
      [two],
      { a: { n: 0 } },
      { waivers: [waiver({ expiresAt: '2026-06-01T03:00:00Z' })] },
    );
    expect(expired.results[0]?.status).toBe('fail');
    expect(expired.results[0]?.message).toMatch(/OPS-1 expired 2026-06-01T03:00:00Z is not honoured/);
    expect(expired.waivers[0]?.state).toBe('expired');

    const soon = await gate(
      [two],
      { a: { n: 0 } },
      { waivers: [waiver({ expiresAt: '2026-06-10T00:00:00Z' })] },
    );
    expect(soon.results[0]?.status).toBe('waived');
    expect(soon.waivers[0]).toMatchObject({ state: 'expiring', daysLeft: 8 });
  });

  it('a waiver naming a rule no loaded policy has is reported, not an error', async () => {
    const out = await gate([two], { a: { n: 5 } }, { waivers: [waiver({ rule: 'elsewhere' })] });
    expect(out.decision).toBe('pass');
    expect(out.waivers[0]?.state).toBe('unknown-rule');
  });

  it("a waiver for another gate's builtin rule (one waivers file serves every gate) is said to be that gate's, not unknown", async () => {
    const out = await gate(
      [two],
      { a: { n: 5 } },
      { waivers: [waiver({ rule: 'compliance.clock-not-overridden' }), waiver({ rule: 'elsewhere' })] },
    );
    expect(out.waivers.map((w) => [w.state, w.ownedBy])).toEqual([
      ['other-gate', 'builtin:compliance/clock'],
      ['unknown-rule', undefined],
    ]);
    const annotations = toAnnotations(out);
    expect(annotations.map((a) => a.title)).toEqual(['Waiver for unknown rule elsewhere']);
    expect(toSummaryMarkdown(out, { title: 'Gate' })).toContain(
      '| for another gate (builtin:compliance/clock) |',
    );
    expect(toSummaryMarkdown(out, { title: 'Gate' })).toMatch(
      /\| compliance\.clock-not-overridden \|.*\| [^|]+Z \| — \|/,
    );
  });
});

describe('loading policies', () => {
  it('rejects a rule id used twice across policies', async () => {
    const ws = workspace({
      'a.json': policy([rule('same', true)]),
      'b.json': policy([rule('same', true)], { id: 'other' }),
    });
    await expect(loadPolicies(['a.json', 'b.json'], ws)).rejects.toThrow(
      /rule id "same" is defined twice \(a.json and b.json\)/,
    );
  });

  it('expands globs, skips policy tests, and loads each file once', async () => {
    const ws = workspace({
      'pol/a.json': policy([rule('a', true)]),
      'pol/b.yaml':
        'id: b\ntitle: B\nversion: 1.0.0\nrules:\n  - id: b\n    title: B\n    severity: low\n    reference: r\n    remediation: x\n    schema: true\n',
      'pol/a.test.json': { cases: [] },
    });
    const loaded = await loadPolicies(['pol/*', 'pol/a.json'], ws);
    expect(loaded.map((p) => p.source)).toEqual(['pol/a.json', 'pol/b.yaml']);
    expect(await loaded[1]?.ruleLine(0)).toBe(5);
  });

  it('says which builtin names exist when one is unknown', async () => {
    await expect(loadPolicies(['builtin:nope'], workspace({}))).rejects.toThrow(InputError);
  });
});

describe('rule schemas', () => {
  it('a rule schema that is not valid JSON Schema is an error naming where', async () => {
    const out = await gate([rule('typo', { type: 'object', properties: { n: { type: 'nmber' } } })], {});
    expect(out.results[0]?.status).toBe('error');
    expect(out.results[0]?.message).toMatch(
      /not a valid JSON Schema: \/properties\/n\/type must be equal to one of the allowed values/,
    );
  });
});

describe('violation messages', () => {
  it('say which value a const or enum expects', async () => {
    const r = rule('vals', {
      type: 'object',
      properties: { n: { const: 0 }, level: { enum: ['info', 'warn'] } },
    });
    const out = await gate([r], { n: 2, level: 'debug' });
    expect(out.results[0]?.violations.map((v) => `${v.pointer} ${v.message}`)).toEqual([
      '/n must be 0 (found 2)',
      '/level must be one of "info", "warn" (found "debug")',
    ]);
  });

  it('say in plain words what Ajv says in schema terms', async () => {
    const r = rule('plain', {
      type: 'object',
      properties: {
        failed: { type: 'array', maxItems: 0 },
        approvedBy: { type: 'array', minItems: 1 },
        verdict: { not: { const: 'fail' } },
        pr: { type: 'object' },
        id: { type: 'string', pattern: '^[0-9]{3}$' },
      },
    });
    const out = await gate([r], { failed: ['001.sql'], approvedBy: [], verdict: 'fail', pr: null, id: '12' });
    expect(out.results[0]?.violations.map((v) => `${v.pointer} ${v.message}`)).toEqual([
      '/failed must be empty (found 1 entry: ["001.sql"])',
      '/approvedBy must have at least 1 entry (found 0 entries)',
      '/verdict has a value this rule does not allow (found "fail")',
      '/pr must be an object (found null)',
      '/id does not have the expected form "^[0-9]{3}$" (found "12")',
    ]);
  });

  it("of every builtin policy, on its own failing test cases, use none of Ajv's schema wording", async () => {
    const ajvWording =
      /must NOT|must match|must have required|must pass|must be (object|array|number|string|integer|boolean)\b|should /;
    const messages = await builtinViolationMessages();
    expect(messages.length).toBeGreaterThan(100);
    expect(messages.filter((m) => ajvWording.test(m))).toEqual([]);
  });
});
