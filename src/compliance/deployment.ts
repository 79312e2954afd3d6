import { readFile } from 'node:fs/promises';
import type { RunContext } from '../runner/runner.js';
import { isPlainObject, type JsonObject } from '../util/deep-merge.js';

/** What is being deployed, as an approver needs to see it. Every field comes from the runner or the event. */
export interface Deployment {
  repository: string;
  commit: string;
  commitUrl: string | undefined;
  /** First line of the head commit message, when the event has one. */
  message: string | undefined;
  ref: string;
  author: string | undefined;
  pullRequest: { number: number; title: string; url: string | undefined } | undefined;
  eventName: string | undefined;
  runUrl: string;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function obj(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

async function readEvent(path: string | undefined): Promise<JsonObject> {
  if (!path) return {};
  try {
    const data: unknown = JSON.parse(await readFile(path, 'utf8'));
    return obj(data);
  } catch {
    // A missing or unreadable payload only leaves fields out of the summary; the runner's variables remain.
    return {};
  }
}

export async function readDeployment(
  ctx: RunContext,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Deployment> {
  const event = await readEvent(ctx.eventPath);
  const pr = obj(event.pull_request);
  const head = obj(event.head_commit);
  const prHead = obj(pr.head);
  const commit = str(prHead.sha) ?? str(head.id) ?? ctx.sha;
  const repoUrl = `${ctx.serverUrl}/${ctx.repository}`;
  const number = typeof pr.number === 'number' ? pr.number : undefined;
  return {
    repository: ctx.repository,
    commit,
    commitUrl: commit ? `${repoUrl}/commit/${commit}` : undefined,
    message: str(head.message)?.split('\n')[0],
    ref: str(prHead.ref) ?? ctx.ref,
    author:
      str(obj(pr.user).login) ??
      str(obj(head.author).username) ??
      str(obj(head.author).name) ??
      str(ctx.actor),
    pullRequest:
      number === undefined
        ? undefined
        : { number, title: str(pr.title) ?? '', url: str(pr.html_url) ?? `${repoUrl}/pull/${number}` },
    eventName: str(env.GITHUB_EVENT_NAME),
    runUrl: `${repoUrl}/actions/runs/${ctx.runId}/attempts/${ctx.runAttempt}`,
  };
}
