import { existsSync, globSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import policyTestSchema from '../../policies/policy-test.schema.json' with { type: 'json' };
import { InputError } from '../errors.js';
import { createAjv } from './ajv.js';
import { mergeFacts } from './facts.js';
import { decideGate } from './gate.js';
import { loadPolicy } from './load-policies.js';
import { builtinPoliciesDir } from './package-root.js';
import type { RuleCompiler } from './rule-compiler.js';
import { readStructured } from './structured-file.js';
import type { RuleStatus, Waiver } from './types.js';

interface PolicyTestCase {
  name: string;
  now?: string;
  facts: Record<string, unknown>;
  waivers?: Waiver[];
  expect: Record<string, RuleStatus>;
}

export interface CaseResult {
  name: string;
  ok: boolean;
  mismatches: { rule: string; expected: RuleStatus; actual: RuleStatus | 'missing'; message: string }[];
}

export interface PolicyTestReport {
  file: string;
  policyId: string;
  cases: CaseResult[];
  /** Rules of the policy that no case expects to pass, or no case expects to fail. */
  untested: { rule: string; missing: ('pass' | 'fail')[] }[];
}

const DEFAULT_NOW = '2026-01-15T12:00:00Z';
let validateTestFile: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

function policyFileFor(testFile: string, declared: string | undefined): string {
  if (declared) return resolve(dirname(testFile), declared);
  const stem = join(dirname(testFile), basename(testFile).replace(/\.test\.(json|ya?ml)$/, ''));
  const found = ['.json', '.yaml', '.yml'].map((ext) => stem + ext).find((f) => existsSync(f));
  if (!found)
    throw new InputError(
      'tests',
      `${testFile} has no policy beside it (${stem}.json)`,
      'Name the test <policy>.test.json or set "policy" in it.',
    );
  return found;
}

export async function runPolicyTestFile(
  testFile: string,
  root: string,
  compiler?: RuleCompiler,
): Promise<PolicyTestReport> {
  const display = relative(root, testFile) || testFile;
  const doc = await readStructured(testFile, 'tests', display);
  validateTestFile ??= createAjv().compile(policyTestSchema);
  if (!validateTestFile(doc.data)) {
    const e = validateTestFile.errors?.[0];
    const { line } = await doc.locate(e?.instancePath ?? '');
    throw new InputError(
      'tests',
      `${display} line ${line}: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`,
      'Make the file match policies/policy-test.schema.json.',
    );
  }
  const spec = doc.data as { policy?: string; cases: PolicyTestCase[] };
  const policyFile = policyFileFor(testFile, spec.policy);
  // A policy shipped in policies/ is tested as what it is, a builtin (so with its precompiled validators).
  const builtinDir = builtinPoliciesDir();
  const policySpec = policyFile.startsWith(`${builtinDir}${sep}`)
    ? `builtin:${relative(builtinDir, policyFile).split(sep).join('/')}`
    : relative(root, policyFile);
  const loaded = await loadPolicy(policyFile, policySpec, root, 'tests');
  const seen = new Map<string, Set<RuleStatus>>();

  const cases: CaseResult[] = [];
  for (const testCase of spec.cases) {
    const now = new Date(testCase.now ?? DEFAULT_NOW);
    const outcome = await decideGate({
      policies: [loaded],
      facts: mergeFacts([testCase.facts], now),
      waivers: testCase.waivers ?? [],
      failOn: 'low',
      mode: 'enforce',
      now,
      ...(compiler ? { compiler } : {}),
    });
    const mismatches: CaseResult['mismatches'] = [];
    for (const [rule, expected] of Object.entries(testCase.expect)) {
      const result = outcome.results.find((r) => r.ruleId === rule);
      if (!seen.has(rule)) seen.set(rule, new Set());
      seen.get(rule)?.add(expected);
      if (!result || result.status !== expected) {
        mismatches.push({
          rule,
          expected,
          actual: result?.status ?? 'missing',
          message: result?.message ?? 'no such rule in the policy',
        });
      }
    }
    cases.push({ name: testCase.name, ok: mismatches.length === 0, mismatches });
  }

  const untested = loaded.policy.rules
    .map((rule) => {
      const statuses = seen.get(rule.id) ?? new Set();
      const missing = (['pass', 'fail'] as const).filter((s) => !statuses.has(s));
      return { rule: rule.id, missing };
    })
    .filter((u) => u.missing.length > 0);
  return { file: display, policyId: loaded.policy.id, cases, untested };
}

export function findPolicyTests(dir: string): string[] {
  return globSync('**/*.test.{json,yaml,yml}', {
    cwd: dir,
    exclude: (f) => String(f).includes('node_modules'),
  })
    .map((f) => join(dir, f))
    .sort();
}
