import { readGateInputs } from '../gate/gate-inputs.js';
import { prepareGate } from '../gate/prepare-gate.js';
import { publishOutcome } from '../gate/publish-outcome.js';
import { mergeFacts, readFactsFile } from '../policy/facts.js';
import { decideGate } from '../policy/gate.js';
import { collectPreflightFacts } from '../preflight/collect.js';
import { readPreflightInputs } from '../preflight/inputs.js';
import { preflightSummary } from '../preflight/summary.js';
import { writeReportFile } from '../report/write-file.js';
import { runAction } from '../runner/run-action.js';
import { runContext } from '../runner/runner.js';

// The playbook's readiness checklists as collected facts, judged by builtin:preflight.
await runAction(async (runner) => {
  const ctx = runContext(runner.env);
  const input = (name: string) => runner.input(name);
  for (const secret of ['database-url', 'github-token', 'vercel-token']) runner.setSecret(input(secret));
  const gateInputs = readGateInputs(input, ctx, { reportName: 'preflight', policies: 'builtin:preflight' });
  // The database URL's password is masked as the URL is read.
  const inputs = await readPreflightInputs(input, ctx, (secret) => runner.setSecret(secret));
  const prepared = await prepareGate(gateInputs, ctx.workspace);
  const extra = await Promise.all(
    inputs.extraFacts.map((f) => readFactsFile(f.path, f.display, 'extra-facts')),
  );

  const now = new Date();
  const { facts, errors } = await runner.group('Collecting facts', () =>
    collectPreflightFacts(inputs, ctx, now),
  );
  for (const e of errors) runner.warning(`The ${e.collector} collector could not run: ${e.message}`);
  const document = mergeFacts([facts, ...extra], now);
  await writeReportFile(inputs.factsFile, `${JSON.stringify(document, null, 2)}\n`);
  runner.setOutput('facts', inputs.factsFile);

  const outcome = await decideGate({
    ...prepared,
    facts: document,
    failOn: gateInputs.failOn,
    mode: gateInputs.mode,
    now,
  });
  await publishOutcome(runner, ctx, outcome, gateInputs, 'Preflight', preflightSummary(facts));
});
