import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    // Integration tests spawn Node processes and servers; two workers match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The workflow parser imports its JSON schemas without `with { type: 'json' }`, which Node refuses;
    // letting Vite transform it resolves those imports.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
