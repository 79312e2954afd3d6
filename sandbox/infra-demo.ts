/**
 * What a rehearsal shows of the playbook's infrastructure step (infra-manifests): the plan the approvers
 * read in the compliance job's summary, and the state of the workloads on the Kubernetes emulator before
 * the run and after it (applied, or undone by the rollback).
 */
import type { KubernetesEmulator } from './kubernetes/emulator.js';

const REVISION = 'deployment.kubernetes.io/revision';

export interface InfraWorkload {
  /** As infra-rollout-undo names it: `deployment/<name>`. */
  workload: string;
  /** Its state when the run started. */
  before: string;
}

export interface RehearsalInfra {
  namespace: string;
  workloads: InfraWorkload[];
}

/** The infra-change plan's section of a job summary (`## Infrastructure plan…` up to the next `## `), or none. */
export function infraPlanSection(summary: string): string | undefined {
  const start = summary.search(/^## Infrastructure plan/m);
  if (start < 0) return undefined;
  const rest = summary.slice(start);
  const end = rest.slice(3).search(/^## /m);
  return (end < 0 ? rest : rest.slice(0, end + 3)).trimEnd();
}

/** One line of a workload's state: its revision and images, or that the cluster does not have it. */
export function describeWorkload(k8s: KubernetesEmulator, namespace: string, workload: string): string {
  const [kind = '', name = ''] = workload.split('/');
  const kinds: Record<string, string> = {
    deployment: 'Deployment',
    statefulset: 'StatefulSet',
    daemonset: 'DaemonSet',
  };
  const obj = k8s.get(kinds[kind.replace(/s$/, '').replace(/\.apps$/, '')] ?? 'Deployment', name, namespace);
  if (!obj) return 'not on the cluster';
  const spec = obj.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined;
  const images = (spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ');
  const revision = obj.metadata.annotations?.[REVISION];
  return `${revision ? `revision ${revision}, ` : ''}image ${images || '(none)'}`;
}

/** The workloads of a caller's written-out infra-rollout-undo, each with its state now. */
export function infraWorkloads(
  k8s: KubernetesEmulator,
  namespace: string,
  rolloutUndo: unknown,
): InfraWorkload[] {
  if (typeof rolloutUndo !== 'string' || rolloutUndo.includes('${{')) return [];
  return rolloutUndo
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((workload) => ({ workload, before: describeWorkload(k8s, namespace, workload) }));
}

const imagesOf = (state: string) => state.replace(/^revision \S+, /, '');

/** The report's and the terminal's lines: each workload before the run and now, and what that means. */
export function infraOutcomeLines(k8s: KubernetesEmulator, infra: RehearsalInfra): string[] {
  return infra.workloads.map((w) => {
    const now = describeWorkload(k8s, infra.namespace, w.workload);
    const meaning =
      now === w.before
        ? 'unchanged'
        : imagesOf(now) === imagesOf(w.before)
          ? 'applied, then undone by the rollback'
          : 'applied';
    return `${w.workload} in namespace ${infra.namespace}: before the run ${w.before}; now ${now} (${meaning})`;
  });
}
