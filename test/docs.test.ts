import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { readmeCaller, yamlBlocks } from '../sandbox/readme-blocks.js';
import {
  actionInputProblems,
  type Job,
  lintProblems,
  reusableCallProblems,
  root,
} from './support/workflow-lint.js';

// Docs are code: every YAML example of the READMEs is taken from the Markdown as written, parsed, and
// the workflow ones (a whole workflow, or jobs to paste into one) are linted like the workflows themselves.
const readmes = ['README.md', ...globSync('actions/*/README.md', { cwd: root }).sort()];

const isJob = (value: unknown) =>
  !!value && typeof value === 'object' && ('runs-on' in value || 'uses' in value || 'steps' in value);

/** Jobs as pasted (a README may show them already indented): moved to exactly two spaces under `jobs:`. */
function indentedUnderJobs(text: string): string {
  const lines = text.split('\n');
  const margin = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => (l.trim() ? `  ${l.slice(margin)}` : l)).join('\n');
}

/**
 * The block as a workflow actionlint can check: a whole workflow as it is; jobs to paste get a trigger, and
 * stand-ins for the jobs they need with the outputs they read.
 */
function asWorkflow(text: string): string | undefined {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') return undefined;
  if ('jobs' in doc) return 'on' in doc ? text : `on: workflow_dispatch\n${text}`;
  const jobs = Object.values(doc);
  if (jobs.length === 0 || !jobs.every(isJob)) return undefined;
  const needed = new Map<string, Set<string>>();
  for (const job of jobs as Job[]) {
    for (const id of [job.needs ?? []].flat()) needed.set(id, needed.get(id) ?? new Set());
  }
  for (const [, id, output] of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    needed.get(id ?? '')?.add(output ?? '');
  }
  const stubs = [...needed]
    .filter(([id]) => !(id in doc))
    .map(([id, outputs]) =>
      [
        `  ${id}:`,
        '    runs-on: ubuntu-latest',
        ...(outputs.size > 0 ? ['    outputs:', ...[...outputs].map((o) => `      ${o}: stand-in`)] : []),
        '    steps:',
        '      - run: echo stand-in',
      ].join('\n'),
    );
  return ['on: workflow_dispatch', 'permissions: {}', 'jobs:', ...stubs, indentedUnderJobs(text)].join('\n');
}

const blocks = readmes.flatMap(yamlBlocks);

describe('YAML examples in the READMEs', () => {
  it('there are examples to check, in the README and the actions', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(new Set(blocks.map((b) => b.file)).size).toBeGreaterThan(5);
  });

  for (const block of blocks) {
    describe(`${block.file}:${block.line}`, () => {
      it('parses as YAML', () => {
        const doc = parseDocument(block.text);
        expect(doc.errors.map((e) => e.message)).toEqual([]);
      });

      const workflow = asWorkflow(block.text);
      if (workflow === undefined) return;

      it('is actionlint clean as a workflow', async () => {
        expect(await lintProblems(workflow, `${block.file}:${block.line}.yml`)).toEqual([]);
      });

      it("passes only declared inputs, and every required one, to this repository's actions and workflows", () => {
        const { jobs, permissions } = parse(workflow) as { jobs: Record<string, Job>; permissions?: unknown };
        expect([...actionInputProblems(jobs), ...reusableCallProblems(jobs, permissions)]).toEqual([]);
      });
    });
  }
});

describe('the examples agree with the workflows', () => {
  const everywhere = [
    ...readmes.map((f) => readFileSync(join(root, f), 'utf8')),
    ...globSync('.github/workflows/*.yml', { cwd: root }).map((f) => readFileSync(join(root, f), 'utf8')),
  ].join('\n');

  it('pin actions/checkout and actions/upload-artifact the same way everywhere, by commit SHA', () => {
    for (const action of ['actions/checkout', 'actions/upload-artifact']) {
      const pins = new Set(
        [...everywhere.matchAll(new RegExp(`uses: ${action}@(\\S+)(?: # (\\S+))?`, 'g'))].map(
          ([, ref, version]) => `${ref} # ${version}`,
        ),
      );
      expect([...pins], action).toHaveLength(1);
      expect([...pins][0], action).toMatch(/^[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  // GitHub cuts a longer retention to the repository's maximum (90 days by default, 400 at most), silently.
  it('keep artifacts no longer than GitHub allows', () => {
    const days = [...everywhere.matchAll(/retention-days:\s*(\d+)/g)].map(([, d]) => Number(d));
    expect(days.length).toBeGreaterThan(0);
    expect(days.filter((d) => d < 1 || d > 90)).toEqual([]);
  });

  it("the README's caller is .github/workflows/deploy.yml, calling the released playbook", () => {
    const caller = readmeCaller();
    const deploy = readFileSync(join(root, '.github/workflows/deploy.yml'), 'utf8');
    const readme = parse(caller.text) as { jobs: Record<string, Job> };
    const local = parse(deploy) as { jobs: Record<string, Job> };
    for (const job of Object.values(readme.jobs)) {
      expect(job.uses).toBe('neonpro/deploy-gates/.github/workflows/playbook.yml@v1');
      job.uses = './.github/workflows/playbook.yml';
    }
    expect(readme).toEqual(parse(deploy));
    expect(local.jobs.playbook?.uses).toBe('./.github/workflows/playbook.yml');
  });
});
