import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlaybookSandbox } from '../../sandbox/playbook.js';
import {
  matrixCalls,
  matrixPlaybookJob,
  readmeMatrixCaller,
  rehearseMatrix,
} from '../../sandbox/rehearse-matrix.js';
import { loadWorkflow } from '../../sandbox/workflow/workflow-file.js';

const write = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'dg-matrix-unit-')), 'deploy-all.yml');
  writeFileSync(file, text);
  return file;
};

/** A sandbox that must not be reached: a caller refused before anything starts never asks it. */
const untouched = new Proxy({} as PlaybookSandbox, {
  get: (_, key) => {
    throw new Error(`the sandbox was used (${String(key)}) before the caller was checked`);
  },
});

describe("the matrix rehearsal's calls", () => {
  it("expands the README's block with the runner's matrix code: one call per project, its with: evaluated", async () => {
    const job = matrixPlaybookJob(await loadWorkflow(write(readmeMatrixCaller().text)));
    const calls = matrixCalls(job ?? (undefined as never));
    expect(calls.map((c) => c.with['vercel-project'])).toEqual(['neonpro-web', 'neonpro-clinics']);
    expect(calls[1]?.with).toMatchObject({
      'tls-hosts': 'clinics.neonpro.healthcare',
      'production-url': 'https://clinics.neonpro.healthcare',
      'reports-artifact': 'reports-neonpro-clinics',
      'staging-endpoints': 'web=https://staging.clinics.neonpro.healthcare/health',
    });
    expect(calls[1]?.combination).toMatchObject({ database: 'CLINICS_DATABASE_URL' });
  });

  it('refuses, before the sandbox is used, two combinations of one project and a broken project the matrix lacks', async () => {
    const text = readmeMatrixCaller().text;
    const same = write(text.replace('project: neonpro-clinics', 'project: neonpro-web'));
    await expect(rehearseMatrix(untouched, { caller: same })).rejects.toThrow(
      'two combinations of the matrix deploy the Vercel project neonpro-web',
    );
    await expect(rehearseMatrix(untouched, { caller: write(text), broken: ['neonpro-api'] })).rejects.toThrow(
      'broken: neonpro-api is not a project of the matrix (neonpro-web, neonpro-clinics)',
    );
    const single = write(text.replace(/ {4}strategy:[\s\S]*?(?= {4}uses:)/, ''));
    await expect(rehearseMatrix(untouched, { caller: single })).rejects.toThrow(
      'has no job that calls the playbook with a strategy.matrix',
    );
  });
});
