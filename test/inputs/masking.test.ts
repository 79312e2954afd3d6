import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBundle } from '../../sandbox/runner/run-bundle.js';
import { ACTION_INPUTS, type ActionName } from '../../src/inputs/index.js';
import { secretInputs } from '../../src/runner/declared-inputs.js';
import { actionYml, bundle } from '../bad-input/catalogue.js';

// Every entry exports main, which scripts/build.mjs runs through runAction with the action's declared
// inputs: every declared secret is masked before the action's code runs (no action masks by hand).
// plan takes no secret: it is told only whether each of the workflow's secrets is set.
const WITHOUT_SECRETS: ActionName[] = ['plan'];
const ACTIONS = (Object.keys(ACTION_INPUTS) as ActionName[]).filter((a) => !WITHOUT_SECRETS.includes(a));

describe('declared secrets', () => {
  it.each(WITHOUT_SECRETS)('%s declares no secret', (action) => {
    expect(secretInputs(ACTION_INPUTS[action])).toEqual([]);
  });

  it.each(ACTIONS)(
    '%s: every declared secret is masked before any other workflow command',
    async (action) => {
      const names = secretInputs(ACTION_INPUTS[action]);
      const values = Object.fromEntries(names.map((name, i) => [name, `mask-me-${i}-${name}-4d2f9a`]));
      const workspace = mkdtempSync(join(tmpdir(), 'dg-mask-'));
      // Nothing else is given: the run fails on the first input it checks, after the masks.
      const run = await runBundle({
        action: bundle(action),
        actionYml: actionYml(action),
        workspace,
        inputs: values,
        stepId: 'mask',
      });
      try {
        expect(names.length).toBeGreaterThan(0);
        expect(run.exitCode).toBe(1);
        const first = run.commands.slice(0, names.length);
        expect(first).toEqual(
          Object.values(values).map((value) => expect.objectContaining({ command: 'add-mask', data: value })),
        );
      } finally {
        await run.cleanup();
        rmSync(workspace, { recursive: true, force: true });
      }
    },
  );
});
