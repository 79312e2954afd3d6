import type { InputDeclarations } from '../runner/declared-inputs.js';

export const INFRA_MODES = ['plan', 'apply', 'undo'] as const;

/**
 * infra-change's inputs, declared once: actions/infra-change/action.yml and its README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const INFRA_CHANGE_INPUTS = {
  mode: {
    kind: 'enum',
    required: true,
    values: INFRA_MODES,
    description:
      'plan: server-side dry run and diff of what would change (before the approval; changes nothing). apply: apply the change (after the approval). undo: undo it (the rollback).',
  },
  manifests: {
    kind: 'files',
    default: '',
    description:
      'Kubernetes manifests (files or folders in the workspace), one per line: what plan and apply run kubectl on; for undo, the previous manifests to re-apply when rollout-undo and undo-command are empty.',
  },
  kubeconfig: {
    kind: 'secret',
    secret: true,
    description:
      'The kubeconfig (its YAML, from a secret). Written with mode 0600 under RUNNER_TEMP, never the workspace, for this step alone, and removed when it ends. Required when kubectl runs; given to the commands as KUBECONFIG.',
  },
  namespace: {
    kind: 'text',
    default: '',
    description: "The namespace kubectl works in; empty for the manifests' own or the kubeconfig context's.",
  },
  'rollout-undo': {
    kind: 'format',
    default: '',
    description:
      'For mode undo: the workloads to roll back to their previous revision (`kubectl rollout undo`), one `deployment/<name>` (or statefulset/, daemonset/) per line.',
  },
  'plan-command': {
    kind: 'command',
    default: '',
    description:
      'Another tool in the plan slot (e.g. `terraform plan -no-color`, `helm diff upgrade …`): run instead of kubectl, its output shown to the approvers. Split into words without a shell.',
  },
  'apply-command': {
    kind: 'command',
    default: '',
    description:
      'Another tool in the apply slot (e.g. `terraform apply -auto-approve`, `helm upgrade --install …`).',
  },
  'undo-command': {
    kind: 'command',
    default: '',
    description: 'Another tool in the undo slot (e.g. `helm rollback neonpro-web`).',
  },
  'database-url': {
    kind: 'db-url',
    secret: true,
    description:
      'PostgreSQL URL of the journal (the deploy_gates schema the other actions journal in): a re-run of the same workflow run does not apply the same change again, and an undo runs once. Empty: nothing is journaled (apply and undo run on every attempt).',
  },
} as const satisfies InputDeclarations;
