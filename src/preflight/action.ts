import type { CollectedFacts, GateAction } from '../gate/run-gate.js';
import { mergeFacts, readFactsFile } from '../policy/facts.js';
import { writeReportFile } from '../report/write-file.js';
import { collectPreflightFacts, type PreflightFacts } from './collect.js';
import { type PreflightInputs, readPreflightInputs } from './inputs.js';
import { preflightSummary } from './summary.js';

interface Collected extends CollectedFacts {
  preflight: PreflightFacts;
}

/** The playbook's readiness checklists as collected facts, judged by builtin:preflight. */
export const preflightGate: GateAction<PreflightInputs, Collected> = {
  title: 'Preflight',
  reportName: 'preflight',
  policies: 'builtin:preflight',
  // The database URL's password is masked as the URL is read.
  secrets: ['database-url', 'github-token', 'vercel-token'],
  readInputs: ({ input, ctx, runner }) =>
    readPreflightInputs(input, ctx, (secret) => runner.setSecret(secret)),
  collect: async ({ ctx, runner }, inputs) => {
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
    return { facts: document, now, preflight: facts };
  },
  decided: (_step, _outcome, { preflight }) => ({ details: preflightSummary(preflight) }),
};
