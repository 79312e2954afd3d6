import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runBundle } from '../../sandbox/runner/run-bundle.js';
import { ACTION_INPUTS, type ActionName } from '../../src/inputs/index.js';
import { secretInputs } from '../../src/runner/declared-inputs.js';
import { actionYml, bundle } from '../bad-input/catalogue.js';

// The entries that export main are run by runAction with their declared inputs (scripts/build.mjs), which
// masks every declared secret before the action's code runs. (An entry that still runs itself masks by
// hand until it exports main.)
const EXPORTS_MAIN = /^export (?:async function|function|const) main\b/m;
// plan takes no secret: it is told only whether each of the workflow's secrets is set.
const WITHOUT_SECRETS: ActionName[] = ['plan'];
const WITH_MAIN = (Object.keys(ACTION_INPUTS) as ActionName[]).filter(
  (action) =>
    !WITHOUT_SECRETS.includes(action) &&
    EXPORTS_MAIN.test(readFileSync(join(REPO_ROOT, 'src', 'actions', `${action}.ts`), 'utf8')),
);

describe('declared secrets', () => {
  it.each(WITHOUT_SECRETS)('%s declares no secret', (action) => {
    expect(secretInputs(ACTION_INPUTS[action])).toEqual([]);
  });

  it.each(WITH_MAIN)(
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
