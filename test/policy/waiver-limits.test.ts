import { describe, expect, it } from 'vitest';
import { checkApprover, readApprovers } from '../../src/gate/approvers.js';
import type { Policy, Rule, Waiver } from '../../src/policy/types.js';
import { auditWaiver, resolveLimits } from '../../src/policy/waiver-limits.js';
import { workspace } from './helpers.js';

const NOW = new Date('2026-12-05T12:00:00Z');
const rule = { id: 'r', severity: 'high' } as Rule;
const policy = { id: 'p', rules: [rule] } as Policy;
const waiver = (extra: Partial<Waiver>): Waiver => ({
  rule: 'r',
  reason: 'r',
  approver: 'a',
  ticket: 'OPS-1',
  expiresAt: '2027-01-01T00:00:00Z',
  ...extra,
});

describe('the default ticket pattern', () => {
  const { ticket } = resolveLimits(undefined);
  it.each(['OPS-1234', 'SEC_OPS-9', '#12', 'neonpro/platform#12', 'https://tracker.example/browse/OPS-1'])(
    'accepts %s',
    (t) => expect(ticket.test(t)).toBe(true),
  );
  it.each(['X', 'n/a', 'see OPS-1', 'OPS-1 and more', 'http://insecure.example/1', 'ops-1'])(
    'refuses %s',
    (t) => expect(ticket.test(t)).toBe(false),
  );
});

describe('the lifetime of a waiver', () => {
  it('counts from createdAt when given, else from the run, and allows exactly maxDays', () => {
    const exact = auditWaiver(
      waiver({ createdAt: '2026-12-01T00:00:00Z', expiresAt: '2027-03-01T00:00:00Z' }),
      { rule, policy },
      undefined,
      NOW,
    );
    expect(exact).toMatchObject({ lifetimeDays: 90, problems: [] });
    const oneMore = auditWaiver(
      waiver({ createdAt: '2026-12-01T00:00:00Z', expiresAt: '2027-03-01T00:00:01Z' }),
      { rule, policy },
      undefined,
      NOW,
    );
    expect(oneMore.problems).toEqual([
      'it lasts 91 days (from 2026-12-01T00:00:00Z to 2027-03-01T00:00:01Z), more than the 90 days policy p allows',
    ]);
    expect(auditWaiver(waiver({}), { rule, policy }, undefined, NOW)).toMatchObject({
      lifetimeDays: 27,
      problems: [],
    });
  });

  it('refuses a createdAt in the future', () => {
    const audit = auditWaiver(
      waiver({ createdAt: '2026-12-20T00:00:00Z' }),
      { rule, policy },
      undefined,
      NOW,
    );
    expect(audit.problems).toEqual(['createdAt 2026-12-20T00:00:00Z is in the future']);
  });
});

describe('the approvers file', () => {
  it('reads logins, teams and emails case-insensitively, and refuses a team or an unlisted person as approver', async () => {
    const ws = workspace({
      approvers: '# comment\n@Alice @NeonPro/DPO-team  # inline\nCTO@neonpro.healthcare\n',
    });
    const list = await readApprovers(`${ws}/approvers`, 'approvers', 'waiver-approvers');
    expect([...list.logins, ...list.emails, ...list.teams.map((t) => `${t.org}/${t.slug}`)]).toEqual([
      'alice',
      'cto@neonpro.healthcare',
      'neonpro/dpo-team',
    ]);
    expect((await checkApprover('alice', list, undefined)).ok).toBe(true);
    expect((await checkApprover('cto@NeonPro.healthcare', list, undefined)).ok).toBe(true);
    expect(await checkApprover('@neonpro/dpo-team', list, undefined)).toEqual({
      required: true,
      ok: false,
      detail: '@neonpro/dpo-team is a team; name the person who approved',
    });
    // A membership GitHub could not tell is never an approval.
    const unknown = await checkApprover('bob', list, async () => ({ unknown: 'GitHub answered 502' }));
    expect(unknown).toMatchObject({ ok: false });
    expect(unknown.detail).toContain('membership of @neonpro/dpo-team not checked: GitHub answered 502');
  });
});
