import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { mergeFacts } from '../../src/policy/facts.js';
import { decideGate } from '../../src/policy/gate.js';
import { loadPolicies } from '../../src/policy/load-policies.js';
import type { Severity, Waiver } from '../../src/policy/types.js';
import { policy, rule, workspace } from './helpers.js';

// Fail closed: a rule whose fact was not collected judged nothing, so it is "not checked", never passed.
const NOW = new Date('2026-06-01T03:00:00Z');

const FACTS = {
  '/tls': { required: true, collectedBy: 'the tls-hosts input' },
  '/vercel': { required: false, collectedBy: 'the vercel-token input' },
};
const tlsValid = rule(
  'tls',
  { type: 'object', properties: { tls: { type: 'object', properties: { valid: { const: true } } } } },
  { needs: ['/tls'], severity: 'low' },
);
const vercelEnv = rule(
  'vercel',
  {
    type: 'object',
    properties: { vercel: { type: 'object', properties: { missing: { type: 'array', maxItems: 0 } } } },
  },
  { needs: ['/vercel'] },
);
const always = rule('always', { type: 'object' });

function waiver(extra: Partial<Waiver> = {}): Waiver {
  return {
    rule: 'tls',
    reason: 'no public host yet',
    approver: 'cto@example.com',
    ticket: 'OPS-7',
    expiresAt: '2026-08-30T00:00:00Z',
    ...extra,
  };
}

async function gate(
  facts: Record<string, unknown>,
  opts: { waivers?: Waiver[]; failOn?: Severity; rules?: unknown[] } = {},
) {
  const ws = workspace({
    'p.json': policy(opts.rules ?? [tlsValid, vercelEnv, always], { facts: FACTS }),
  });
  return decideGate({
    policies: await loadPolicies(['p.json'], ws),
    facts: mergeFacts([facts], NOW),
    waivers: opts.waivers ?? [],
    failOn: opts.failOn ?? 'critical',
    mode: 'enforce',
    now: NOW,
  });
}

const byId = (out: Awaited<ReturnType<typeof gate>>, id: string) => out.results.find((r) => r.ruleId === id);

describe('rules whose facts were not collected', () => {
  it('a missing required fact: not checked, and it fails the gate whatever the severity and fail-on', async () => {
    const out = await gate({ vercel: { missing: [] } });
    const tls = byId(out, 'tls');
    expect(tls?.status).toBe('not-checked');
    expect(tls?.message).toBe(
      'Not checked, and the policy requires it: /tls was not collected (collected by the tls-hosts input)',
    );
    expect(tls?.violations).toEqual([
      expect.objectContaining({
        pointer: '/tls',
        keyword: 'not-collected',
        message: 'is required but was not collected: give the tls-hosts input',
      }),
    ]);
    expect(tls?.missingFacts).toEqual([
      { pointer: '/tls', required: true, collectedBy: 'the tls-hosts input' },
    ]);
    expect(out.decision).toBe('fail');
    expect(out.blocking.map((r) => r.ruleId)).toEqual(['tls']);
    expect(out.counts).toEqual({
      passed: 2,
      failed: 0,
      waived: 0,
      errored: 0,
      notChecked: 1,
      notCheckedRequired: 1,
      total: 3,
    });
  });

  it('a missing optional fact: not checked, reported, and the gate still passes', async () => {
    const out = await gate({ tls: { valid: true } });
    expect(byId(out, 'vercel')).toMatchObject({
      status: 'not-checked',
      violations: [],
      message: 'Not checked (optional): /vercel was not collected (collected by the vercel-token input)',
    });
    expect(out.decision).toBe('pass');
    expect(out.counts).toMatchObject({ passed: 2, notChecked: 1, notCheckedRequired: 0, total: 3 });
  });

  it('no facts at all: nothing passes that needs a fact; the four counts add up to the total', async () => {
    const out = await gate({});
    expect(out.results.map((r) => [r.ruleId, r.status])).toEqual([
      ['tls', 'not-checked'],
      ['vercel', 'not-checked'],
      ['always', 'pass'],
    ]);
    const { passed, failed, waived, notChecked, total } = out.counts;
    expect(passed + failed + waived + notChecked).toBe(total);
    expect(out.decision).toBe('fail');
  });

  it('a collected fact is judged as before, however empty: pass, or fail by fail-on', async () => {
    expect(byId(await gate({ tls: { valid: true }, vercel: {} }), 'tls')?.status).toBe('pass');
    const bad = await gate({ tls: { valid: false }, vercel: {} });
    expect(byId(bad, 'tls')?.status).toBe('fail');
    expect(bad.decision).toBe('pass'); // a low failure under fail-on critical
  });

  it('a waiver for the rule (whole, or scoped to the fact) covers a missing required fact', async () => {
    for (const w of [waiver(), waiver({ scope: '/tls' })]) {
      const out = await gate({ vercel: {} }, { waivers: [w] });
      expect(byId(out, 'tls')).toMatchObject({ status: 'waived', waivers: [w], violations: [] });
      expect(byId(out, 'tls')?.message).toMatch(
        /^Waived \(OPS-7 by cto@example\.com until .*\): Not checked/,
      );
      expect(out.decision).toBe('pass');
      expect(out.waivers[0]?.state).toBe('active');
    }
  });

  it('a waiver scoped below the fact, or expired, does not cover it', async () => {
    const below = await gate({ vercel: {} }, { waivers: [waiver({ scope: '/tls/hosts' })] });
    expect(byId(below, 'tls')?.status).toBe('not-checked');
    expect(below.decision).toBe('fail');

    const expired = await gate({ vercel: {} }, { waivers: [waiver({ expiresAt: '2026-05-01T00:00:00Z' })] });
    expect(byId(expired, 'tls')?.message).toMatch(
      /waiver OPS-7 expired 2026-05-01T00:00:00Z is not honoured$/,
    );
    expect(expired.decision).toBe('fail');
  });
});

describe('declaring the facts rules need', () => {
  it('a rule needing a fact its policy does not declare is an input error naming policies', async () => {
    const typo = rule('typo', true, { needs: ['/tsl'] });
    const ws = workspace({ 'p.json': policy([typo], { facts: FACTS }) });
    const err = await loadPolicies(['p.json'], ws).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(
      /^Input "policies": p\.json: rule "typo" needs \/tsl, which the policy's "facts" does not declare/,
    );
  });

  it('needs and facts are JSON Pointers (the policy schema says so)', async () => {
    const ws = workspace({ 'p.json': policy([rule('a', true, { needs: ['tls'] })], { facts: FACTS }) });
    const err = await loadPolicies(['p.json'], ws).catch((e: unknown) => e);
    expect((err as InputError).message).toMatch(/\/rules\/0\/needs\/0 must match pattern/);
  });
});

describe('a policy set of no rule', () => {
  it('a folder holding no policy file is an input error naming policies', async () => {
    const ws = workspace({ 'policies/README.md': 'nothing here', 'policies/p.test.json': { cases: [] } });
    const err = await loadPolicies(['policies'], ws).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(
      /^Input "policies": the folder policies holds no policy file/,
    );
  });
});
