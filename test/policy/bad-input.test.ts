import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readFactsFile } from '../../src/policy/facts.js';
import { loadPolicies } from '../../src/policy/load-policies.js';
import { readWaiversFile } from '../../src/policy/waivers.js';
import { policy, rule, workspace } from './helpers.js';

async function inputError(fn: () => Promise<unknown>): Promise<InputError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('bad policy files', () => {
  it('malformed JSON: names the file, line and column', async () => {
    const ws = workspace({
      'bad.json': '{\n  "id": "x",\n  "rules": [\n    { "id": "a" }\n    { "id": "b" }\n  ]\n}\n',
    });
    const err = await inputError(() => loadPolicies(['bad.json'], ws));
    expect(err.input).toBe('policies');
    expect(err.message).toMatch(/^Input "policies": bad\.json is not valid JSON at line 5, column 5: /);
    expect(err.fix).toBe('Fix the syntax of that file.');
  });

  it('malformed YAML: names the file and line', async () => {
    const ws = workspace({ 'bad.yaml': 'id: x\nrules:\n  - id: a\n   title: wrong indent\n' });
    expect((await inputError(() => loadPolicies(['bad.yaml'], ws))).message).toMatch(
      /bad\.yaml is not valid YAML at line 4/,
    );
  });

  it('a policy that breaks the meta-schema: the JSON Pointer, the line and what is expected', async () => {
    const ws = workspace({ 'p.json': policy([rule('a', true, { severity: 'urgent' })]) });
    const err = await inputError(() => loadPolicies(['p.json'], ws));
    expect(err.message).toMatch(
      /p\.json line 9: \/rules\/0\/severity must be one of "critical", "high", "medium", "low"/,
    );
    expect(err.fix).toMatch(/policies\/policy\.schema\.json/);
  });

  it('a rule without remediation', async () => {
    const bare = { id: 'a', title: 'A', severity: 'low', reference: 'r', schema: true };
    const err = await inputError(() => loadPolicies(['p.json'], workspace({ 'p.json': policy([bare]) })));
    expect(err.message).toMatch(/\/rules\/0 is missing the required property "remediation"/);
  });

  it('a missing policy file and a glob that matches nothing', async () => {
    expect((await inputError(() => loadPolicies(['nope.json'], workspace({})))).message).toMatch(
      /nope\.json does not exist/,
    );
    expect((await inputError(() => loadPolicies(['pol/**/*.json'], workspace({})))).message).toMatch(
      /matches no policy file/,
    );
  });
});

describe('bad facts and waivers', () => {
  it('a missing facts file', async () => {
    const ws = workspace({});
    const err = await inputError(() => readFactsFile(`${ws}/facts.json`, 'facts.json', 'facts'));
    expect(err.input).toBe('facts');
    expect(err.message).toMatch(/facts\.json does not exist/);
  });

  it('facts that are not an object', async () => {
    const ws = workspace({ 'facts.json': '[1,2]' });
    expect(
      (await inputError(() => readFactsFile(`${ws}/facts.json`, 'facts.json', 'facts'))).message,
    ).toMatch(/must hold a JSON object of facts, not an array/);
  });

  it('a waiver without expiry names the rule and how to fix it', async () => {
    const ws = workspace({
      'w.yaml': 'waivers:\n  - rule: a\n    reason: r\n    approver: cto\n    ticket: T-1\n',
    });
    const err = await inputError(() => readWaiversFile(`${ws}/w.yaml`, 'w.yaml', 'waivers'));
    expect(err.message).toBe(
      'Input "waivers": w.yaml line 2: the waiver for rule "a" has no expiresAt. Every waiver needs an expiry: set expiresAt to a UTC date and time, e.g. "2026-12-31T23:59:59Z".',
    );
  });

  it('a waiver whose expiry is not UTC, or not a real date', async () => {
    const local = workspace({
      'w.json': {
        waivers: [
          { rule: 'a', reason: 'r', approver: 'c', ticket: 't', expiresAt: '2026-12-31T23:59:59-03:00' },
        ],
      },
    });
    expect((await inputError(() => readWaiversFile(`${local}/w.json`, 'w.json', 'waivers'))).message).toMatch(
      /\/waivers\/0\/expiresAt must match pattern/,
    );
    const unreal = workspace({
      'w.json': {
        waivers: [{ rule: 'a', reason: 'r', approver: 'c', ticket: 't', expiresAt: '2026-13-45T00:00:00Z' }],
      },
    });
    expect(
      (await inputError(() => readWaiversFile(`${unreal}/w.json`, 'w.json', 'waivers'))).message,
    ).toMatch(/is not a real date/);
  });
});
