import { relative } from 'node:path';
import { InputError } from '../errors.js';
import { readGateInputs } from '../gate/gate-inputs.js';
import { prepareGate } from '../gate/prepare-gate.js';
import { publishOutcome } from '../gate/publish-outcome.js';
import { mergeFacts, readFactsFile } from '../policy/facts.js';
import { decideGate } from '../policy/gate.js';
import { parseList, resolvePath } from '../runner/inputs.js';
import { runAction } from '../runner/run-action.js';
import { runContext } from '../runner/runner.js';

// Root action: evaluate any policies against any facts.
await runAction(async (runner) => {
  const ctx = runContext(runner.env);
  const input = (name: string) => runner.input(name);
  const inputs = readGateInputs(input, ctx, { reportName: 'policy-gate' }, (secret) =>
    runner.setSecret(secret),
  );
  const factPaths = parseList(input('facts'));
  if (factPaths.length === 0) {
    throw new InputError(
      'facts',
      'is required but empty',
      'List one or more JSON or YAML facts files (later files win).',
    );
  }
  const prepared = await prepareGate(inputs, ctx.workspace, ctx.apiUrl);
  const documents = await Promise.all(
    factPaths.map((p) => {
      const path = resolvePath(ctx.workspace, p);
      return readFactsFile(path, relative(ctx.workspace, path) || p, 'facts');
    }),
  );
  const now = new Date();
  const outcome = await decideGate({
    ...prepared,
    facts: mergeFacts(documents, now),
    failOn: inputs.failOn,
    mode: inputs.mode,
    now,
  });
  await publishOutcome(runner, ctx, outcome, inputs, 'Policy gate');
});
