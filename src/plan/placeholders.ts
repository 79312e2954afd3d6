import { artifactName } from '../backup/artifact-name.js';
import { formatBackupLocation } from '../backup/location.js';
import type { InputSpec } from '../runner/declared-inputs.js';

/**
 * What plan gives an action in place of what it cannot know before the approval: a secret that is set
 * (plan sees only whether it is), the job's token, and the outputs of jobs that have not run. Each is a
 * value the action's own checks accept, so that the only problems found are those of the wiring.
 */

/** Marks a set secret in an evaluated value; replaced by a placeholder of the input it reaches. */
export const SECRET_MARK = '\u0001plan-secret\u0001';

/** A syntactically valid value for a secret input of this kind. */
export function secretPlaceholder(name: string, spec: InputSpec | undefined): string {
  if (spec?.kind === 'db-url') return 'postgresql://plan:placeholder@127.0.0.1:5432/plan';
  if (spec?.kind === 'url') return 'https://plan.invalid/webhook';
  if (name === 'kubeconfig') return KUBECONFIG_PLACEHOLDER;
  if (name === 'backup-identity') return `AGE-SECRET-KEY-1${'Q'.repeat(58)}`;
  return 'plan-placeholder-secret';
}

/** A kubeconfig infra-change's check accepts: one cluster with a server, the current context one of its contexts. */
const KUBECONFIG_PLACEHOLDER = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{name: plan, cluster: {server: "https://plan.invalid"}}]',
  'users: [{name: plan, user: {token: plan-placeholder}}]',
  'contexts: [{name: plan, context: {cluster: plan, user: plan}}]',
  'current-context: plan',
].join('\n');

const OUTPUTS: Record<string, string> = {
  'deployment-url': 'https://plan.invalid',
  'production-url': 'https://plan.invalid',
  'deployment-id': 'dpl_planplaceholder',
  'previous-deployment-id': 'dpl_planplaceholder',
  'github-deployment-id': '1',
  'backup-id': 'plan-placeholder',
  'migrations-applied': '[]',
  'rollback-recommended': 'false',
  verdict: 'healthy',
  decision: 'pass',
  // The deploy job's infra apply step ran (its outcome): the rollback's undo step is then checked too.
  'infra-apply': 'success',
};

/**
 * `needs.<job>.outputs` and `.result` of the jobs that have not run. The backup location is of the kind
 * backup-storage asks for, as db-migrate-backup would output it.
 */
export function jobPlaceholders(
  jobOutputs: Record<string, string[]>,
  backupStorage: string,
): Record<string, { outputs: Record<string, string>; result: string }> {
  const location = formatBackupLocation(
    backupStorage.trim().toLowerCase() === 'path'
      ? { kind: 'path', dir: '/plan-placeholder' }
      : { kind: 'artifact', runId: '1', name: artifactName('plan-placeholder') },
  );
  return Object.fromEntries(
    Object.entries(jobOutputs).map(([job, names]) => [
      job,
      {
        result: 'success',
        outputs: Object.fromEntries(
          names.map((name) => [name, name === 'backup-location' ? location : (OUTPUTS[name] ?? '')]),
        ),
      },
    ]),
  );
}

/** The job's token, which the runner always has. */
export const GITHUB_TOKEN_PLACEHOLDER = 'ghs_planplaceholder';
