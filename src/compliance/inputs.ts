import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { COMPLIANCE_GATE_INPUTS } from '../inputs/compliance-gate.js';
import { readFactsFile } from '../policy/facts.js';
import { type InputReader, parseDuration, parseList, resolvePath } from '../runner/inputs.js';
import { parseOutputPath } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import type { JsonObject } from '../util/deep-merge.js';
import { sha256 } from '../util/hash.js';
import {
  assertTimezone,
  type ChangeWindowFacts,
  DEFAULT_TIMEZONE,
  DEFAULT_WINDOW,
  evaluateChangeWindow,
  parseWindow,
} from './change-window.js';
import { deriveComplianceFacts, type Manifest, readManifest } from './manifest.js';

export const DEFAULT_POLICIES = [
  'builtin:compliance/lgpd',
  'builtin:compliance/anvisa',
  'builtin:compliance/cfm',
  'builtin:change-window',
].join('\n');
export const DEFAULT_MANIFEST = '.github/compliance.json';
export const DEFAULTS = {
  window: DEFAULT_WINDOW,
  timezone: DEFAULT_TIMEZONE,
  maxDuration: '4h',
  expectedDuration: '1h',
};

/** Inputs of the compliance gate beyond the ones every gate shares. */
export interface ComplianceInputs {
  factsPaths: string[];
  manifestPath: string;
  window: ReturnType<typeof parseWindow>;
  timezone: string;
  maxDurationMs: number;
  expectedDurationMs: number;
  evidenceFile: string;
}

/** Parses every compliance input; throws InputError (naming the input) before anything is read or written. */
export function readComplianceInputs(input: InputReader, ctx: RunContext): ComplianceInputs {
  const manifest = input('manifest') || DEFAULT_MANIFEST;
  const evidence = input('evidence-file');
  return {
    factsPaths: parseList(input('facts')).map((p) => resolvePath(ctx.workspace, p)),
    manifestPath: resolvePath(ctx.workspace, manifest),
    window: parseWindow('change-window', input('change-window') || DEFAULTS.window),
    timezone: assertTimezone('timezone', input('timezone') || DEFAULTS.timezone),
    maxDurationMs: parseDuration(
      'max-duration',
      input('max-duration') || DEFAULTS.maxDuration,
      0,
      COMPLIANCE_GATE_INPUTS['max-duration'],
    ),
    expectedDurationMs: parseDuration(
      'expected-duration',
      input('expected-duration') || DEFAULTS.expectedDuration,
      0,
      COMPLIANCE_GATE_INPUTS['expected-duration'],
    ),
    evidenceFile: evidence
      ? parseOutputPath('evidence-file', evidence, ctx)
      : join(ctx.runnerTemp, 'deploy-gates', `compliance-evidence-${ctx.action}.json`),
  };
}

export interface ComplianceFacts {
  /** Facts documents in merge order: the facts files, then the manifest, then the change window. */
  documents: JsonObject[];
  manifest: Manifest;
  attestations: JsonObject;
  window: ChangeWindowFacts;
  factsFiles: { path: string; sha256: string }[];
}

/** Reads the facts files and the manifest and computes the derived facts for `now`. */
export async function collectComplianceFacts(
  inputs: ComplianceInputs,
  workspace: string,
  now: Date,
): Promise<ComplianceFacts> {
  const display = (path: string) => relative(workspace, path) || path;
  const factsDocs = await Promise.all(
    inputs.factsPaths.map(async (path) => {
      const data = await readFactsFile(path, display(path), 'facts');
      return { data, file: { path: display(path), sha256: sha256(await readFile(path)) } };
    }),
  );
  const manifest = await readManifest(inputs.manifestPath, display(inputs.manifestPath), 'manifest');
  const attestations = deriveComplianceFacts(manifest.data, now);
  const window = evaluateChangeWindow({
    window: inputs.window,
    timezone: inputs.timezone,
    now,
    expectedDurationMs: inputs.expectedDurationMs,
    maxDurationMs: inputs.maxDurationMs,
  });
  return {
    documents: [...factsDocs.map((d) => d.data), { compliance: attestations }, { change: { window } }],
    manifest,
    attestations,
    window,
    factsFiles: factsDocs.map((d) => d.file),
  };
}
