import { relative } from 'node:path';
import { InputError } from '../errors.js';
import { mergeFacts, readFactsFile } from '../policy/facts.js';
import { parseList, resolvePath } from '../runner/inputs.js';
import type { CollectedFacts, GateAction } from './run-gate.js';

/** The root action: any policies judged against any facts files. */
export const policyGate: GateAction<string[], CollectedFacts> = {
  title: 'Policy gate',
  reportName: 'policy-gate',
  readInputs: ({ input }) => {
    const factPaths = parseList(input('facts'));
    if (factPaths.length > 0) return factPaths;
    throw new InputError(
      'facts',
      'is required but empty',
      'List one or more JSON or YAML facts files (later files win).',
    );
  },
  collect: async ({ ctx }, factPaths) => {
    const documents = await Promise.all(
      factPaths.map((p) => {
        const path = resolvePath(ctx.workspace, p);
        return readFactsFile(path, relative(ctx.workspace, path) || p, 'facts');
      }),
    );
    const now = new Date();
    return { facts: mergeFacts(documents, now), now };
  },
};
