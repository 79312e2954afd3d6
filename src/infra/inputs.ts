import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type DatabaseTarget, readDatabaseTarget } from '../db/target.js';
import { InputError } from '../errors.js';
import { INFRA_MODES } from '../inputs/infra-change.js';
import { findProgram } from '../rollback/hooks.js';
import { type InputReader, parseEnum, parseLines, parseName, quoteValue } from '../runner/inputs.js';
import { parseExistingPath } from '../runner/paths.js';
import { splitCommandLine } from '../util/command-line.js';

export type InfraMode = (typeof INFRA_MODES)[number];

export interface InfraInputs {
  mode: InfraMode;
  /** Absolute paths, checked inside the workspace and readable as manifests. */
  manifests: string[];
  /** The workspace-relative spellings, for messages and the summary. */
  manifestNames: string[];
  kubeconfig: string;
  namespace: string;
  rolloutUndo: string[];
  commands: { plan?: string[]; apply?: string[]; undo?: string[] };
  journal: DatabaseTarget | undefined;
}

const WORKLOAD =
  /^(deployment|deployments|deploy|statefulset|statefulsets|sts|daemonset|daemonsets|ds)(\.apps)?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

/** Each manifest file parses as YAML or JSON documents that name their apiVersion, kind and metadata.name. */
function checkManifest(input: string, name: string, path: string): void {
  const files = manifestFiles(path);
  if (files.length === 0)
    throw new InputError(
      input,
      `${quoteValue(name)} holds no .yaml, .yml or .json manifest`,
      `Set ${input} to manifest files or folders that hold them.`,
    );
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0)
        throw new InputError(
          input,
          `${quoteValue(name)} is not valid YAML (${doc.errors[0]?.message.split('\n')[0]})`,
          `Fix the manifest, or set ${input} to another file.`,
        );
      const value = doc.toJS() as {
        apiVersion?: unknown;
        kind?: unknown;
        metadata?: { name?: unknown };
      } | null;
      if (value === null) continue;
      if (
        typeof value !== 'object' ||
        typeof value.apiVersion !== 'string' ||
        typeof value.kind !== 'string' ||
        typeof value.metadata?.name !== 'string'
      )
        throw new InputError(
          input,
          `${quoteValue(name)} holds a document that is not a Kubernetes object (apiVersion, kind and metadata.name)`,
          `Set ${input} to Kubernetes manifests.`,
        );
    }
  }
}

function command(name: 'plan-command' | 'apply-command' | 'undo-command', raw: string): string[] | undefined {
  if (!raw) return undefined;
  if (/[\r\n]/.test(raw))
    throw new InputError(name, 'it spans more than one line', `Set ${name} to one command line.`);
  const split = splitCommandLine(raw);
  if (!split.ok) throw new InputError(name, split.problem, `Fix the quoting in ${name}.`);
  if (split.words.length === 0) return undefined;
  const program = split.words[0] as string;
  if (!findProgram(program))
    throw new InputError(
      name,
      `the program ${quoteValue(program)} is not on PATH`,
      `Install it in an earlier step, or fix ${name}.`,
    );
  return split.words;
}

/** A kubeconfig is YAML with a cluster that has a server and a current context; its text is never quoted. */
function checkKubeconfig(raw: string): void {
  const fix =
    'Set kubeconfig to the whole kubeconfig file (YAML with clusters, users, contexts and current-context), e.g. from a secret.';
  let value: unknown;
  try {
    const docs = parseAllDocuments(raw);
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.length !== 1 || (list[0]?.errors.length ?? 0) > 0) throw new Error('not one YAML document');
    value = list[0]?.toJS();
  } catch {
    throw new InputError('kubeconfig', 'it is not a YAML document', fix);
  }
  const kc = value as { clusters?: unknown; contexts?: unknown; 'current-context'?: unknown } | null;
  const clusters = Array.isArray(kc?.clusters) ? (kc.clusters as { cluster?: { server?: unknown } }[]) : [];
  if (clusters.length === 0 || !clusters.every((c) => typeof c?.cluster?.server === 'string'))
    throw new InputError('kubeconfig', 'it names no cluster with a server', fix);
  const contexts = Array.isArray(kc?.contexts) ? (kc.contexts as { name?: unknown }[]) : [];
  const current = kc?.['current-context'];
  if (typeof current !== 'string' || !contexts.some((c) => c?.name === current))
    throw new InputError('kubeconfig', 'its current-context is not one of its contexts', fix);
}

/**
 * Every input, checked before kubectl or a command runs. `input` is the runner's (or, in the playbook's plan
 * job, the values the later step will get); `mask` hides the journal's URL.
 */
export function readInfraInputs(
  input: InputReader,
  mask: (secret: string) => void,
  workspace: string,
): InfraInputs {
  const modeRaw = input('mode');
  if (!modeRaw) throw new InputError('mode', 'it is empty', `Set mode to one of: ${INFRA_MODES.join(', ')}.`);
  const mode = parseEnum('mode', modeRaw, INFRA_MODES, 'plan');
  const manifestNames = parseLines(input('manifests'));
  const manifests = manifestNames.map((name) => {
    if (name.length > 4096)
      throw new InputError(
        'manifests',
        'a path is longer than 4096 characters',
        'Set manifests to paths in the workspace.',
      );
    let kind: 'file' | 'folder' = 'file';
    try {
      if (statSync(join(workspace, name)).isDirectory()) kind = 'folder';
    } catch {
      // parseExistingPath says what is wrong.
    }
    const path = parseExistingPath('manifests', name, workspace, kind);
    checkManifest('manifests', name, path);
    return path;
  });
  const commands = {
    plan: command('plan-command', input('plan-command')),
    apply: command('apply-command', input('apply-command')),
    undo: command('undo-command', input('undo-command')),
  };
  const rolloutUndo = parseLines(input('rollout-undo'));
  for (const w of rolloutUndo)
    if (!WORKLOAD.test(w))
      throw new InputError(
        'rollout-undo',
        `${quoteValue(w)} is not a workload`,
        'Set rollout-undo to one deployment/<name>, statefulset/<name> or daemonset/<name> per line.',
      );
  const nsRaw = input('namespace');
  const namespace = nsRaw ? parseName('namespace', nsRaw, 'a namespace') : '';
  if (namespace && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new InputError(
      'namespace',
      `${quoteValue(namespace)} is not a namespace name`,
      'Set namespace to a DNS label: lowercase letters, digits and -.',
    );

  const own = commands[mode];
  const usesKubectl = !own;
  if (usesKubectl) {
    if (mode !== 'undo' && manifests.length === 0)
      throw new InputError(
        'manifests',
        `mode ${mode} has nothing to ${mode}`,
        `Set manifests to the Kubernetes manifests (or ${mode}-command to another tool).`,
      );
    if (mode === 'undo' && rolloutUndo.length === 0 && manifests.length === 0)
      throw new InputError(
        'rollout-undo',
        'mode undo has nothing to undo',
        'Set rollout-undo (e.g. deployment/neonpro-web), manifests (the previous ones, re-applied) or undo-command.',
      );
  }
  const kubeconfig = input('kubeconfig');
  if (kubeconfig) checkKubeconfig(kubeconfig);
  else if (usesKubectl)
    throw new InputError(
      'kubeconfig',
      'it is empty and kubectl needs it',
      'Set kubeconfig to the whole kubeconfig of the cluster, from a secret (e.g. secrets.KUBECONFIG).',
    );
  const journal = readDatabaseTarget(input, mask, { optional: true });
  return { mode, manifests, manifestNames, kubeconfig, namespace, rolloutUndo, commands, journal };
}
