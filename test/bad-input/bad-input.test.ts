import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, catalogue } from './catalogue.js';
import { KNOWN_FAILURES } from './known-failures.js';
import { judge, type Outcome, pool, runBaseline } from './run-cases.js';
import { startWorld, type World } from './world.js';

// Every input of every action, given each bad value of its kinds, from a passing baseline, through the
// committed bundle: exit 1, exactly one ::error naming the input, no stack trace, nothing changed.
const SLOTS = 4;
let world: World;

beforeAll(async () => {
  world = await startWorld(SLOTS);
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('bad input', { timeout: 900_000 }, () => {
  it('every baseline passes, so that each bad value is the only thing wrong', async () => {
    const runs = await pool(world.slots, [...ACTIONS], (slot, action) => runBaseline(world, slot, action));
    const failing = runs
      .map((run, i) => ({
        action: ACTIONS[i],
        exitCode: run.exitCode,
        errors: run.annotations.filter((a) => a.level === 'error').map((a) => a.message),
      }))
      .filter((r) => r.exitCode !== 0);
    expect(failing).toEqual([]);
  });

  it('every bad value of every input fails clearly and changes nothing (known failures still fail)', async () => {
    // BAD_INPUT_ONLY=<regex> runs the matching cases alone while working on a fix; the suite runs all.
    const only = process.env.BAD_INPUT_ONLY ? new RegExp(process.env.BAD_INPUT_ONLY) : undefined;
    const cases = catalogue().filter((c) => !only || only.test(c.id));
    const outcomes = await pool(world.slots, cases, (slot, c) => judge(world, slot, c));
    const totals = { tried: outcomes.length, clear: 0, 'side-effect': 0, accepted: 0, unclear: 0 };
    for (const o of outcomes) totals[o.verdict]++;
    // The figures of the run, for the issue's closing note (BAD_INPUT_REPORT=<file> keeps every outcome).
    console.log(`bad input: ${JSON.stringify(totals)}`);
    if (process.env.BAD_INPUT_REPORT)
      writeFileSync(process.env.BAD_INPUT_REPORT, JSON.stringify(outcomes, null, 2));

    const known = new Map(KNOWN_FAILURES.map((k) => [k.id, k.reason]));
    const broken = outcomes.filter((o) => o.verdict !== 'clear' && !known.has(o.id)).map(describeOutcome);
    // A fixed known failure must leave the list, so the list stays the truth.
    const fixed = outcomes.filter((o) => o.verdict === 'clear' && known.has(o.id)).map((o) => o.id);
    const ids = new Set(cases.map((c) => c.id));
    const stale = only ? [] : [...known.keys()].filter((id) => !ids.has(id));
    expect({ broken, fixed, stale }).toEqual({ broken: [], fixed: [], stale: [] });
  });
});

function describeOutcome(o: Outcome): string {
  return `${o.id}: ${o.verdict}${o.detail ? ` (${o.detail})` : ''}`;
}
