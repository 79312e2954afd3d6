import type { GitHubDeployments } from '../github/deployments.js';
import type { IncidentOutcome } from '../incident/body.js';

/**
 * What GitHub's environment page should say after a rollback: the failed deployment `failure`, and once
 * the app is back, the deployment that was live before it `success` again. Looks first, so a re-run
 * posts nothing that is already there.
 */
export function githubDeploymentStatus(
  record: GitHubDeployments,
  failedId: number,
  details: { logUrl: string; reason: string },
) {
  return async (outcome: () => IncidentOutcome): Promise<string> => {
    const done: string[] = [];
    if ((await record.latestStatus(failedId))?.state === 'failure') {
      done.push(`GitHub deployment ${failedId} was already marked failed`);
    } else {
      await record.setStatus(failedId, 'failure', {
        logUrl: details.logUrl,
        description: `Rolled back${details.reason ? `: ${details.reason}` : ''}`,
      });
      done.push(`GitHub deployment ${failedId} marked failed`);
    }
    if (outcome() !== 'rolled-back') return done.join('; ');
    const previous = await record.liveBefore(failedId);
    if (!previous) return done.join('; ');
    if ((await record.latestStatus(previous.id))?.state === 'success') {
      done.push(`GitHub deployment ${previous.id} is active`);
    } else {
      await record.setStatus(previous.id, 'success', {
        logUrl: details.logUrl,
        environmentUrl: previous.environmentUrl,
        description: `Live again after the rollback of ${failedId}`,
      });
      done.push(`GitHub deployment ${previous.id} active again`);
    }
    return done.join('; ');
  };
}
