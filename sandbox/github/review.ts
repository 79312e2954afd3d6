/**
 * An approver's review of a run's pending deployment, the way the GitHub UI's "Review deployments" does it
 * through the REST API: find the environment's id among the run's pending deployments, then
 * `POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments`. The sandbox's local approval takes
 * this path, so the sandbox and GitHub record approvals the same way.
 */
export async function reviewDeployment(opts: {
  apiUrl: string;
  /** The reviewer's own token: GitHub records the review as theirs. */
  token: string;
  repository: string;
  runId: string;
  environment: string;
  state: 'approved' | 'rejected';
  comment: string;
}): Promise<{ ok: boolean; status: number; message?: string }> {
  const base = `${opts.apiUrl}/repos/${opts.repository}/actions/runs/${opts.runId}/pending_deployments`;
  const headers = {
    authorization: `Bearer ${opts.token}`,
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
  };
  const pending = (await (await fetch(base, { headers })).json()) as {
    environment: { id: number; name: string };
  }[];
  const env = pending.find((p) => p.environment.name === opts.environment);
  if (!env) return { ok: false, status: 404, message: `${opts.environment} is not waiting for a review` };
  const res = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({ environment_ids: [env.environment.id], state: opts.state, comment: opts.comment }),
  });
  const body = (await res.json()) as { message?: string };
  return { ok: res.ok, status: res.status, ...(res.ok ? {} : { message: body.message ?? '' }) };
}
