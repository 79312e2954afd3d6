/**
 * A run of a team's CI workflow, as GitHub records it after the fact: the run (its workflow file, commit,
 * conclusion) on the GitHub emulator, and the artifact its actions/upload-artifact step uploaded, stored
 * through the real @actions/artifact client in the artifact service. preflight-check's reports-workflow
 * finds such a run for the commit it deploys and reads coverage and SARIF from its artifact.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { withLibraryEnv } from '../src/backup/library-env.js';
import type { ArtifactService } from './artifact/service.js';
import type { GitHubEmulator } from './github/emulator.js';

export interface CiRun {
  /** The workflow file name in .github/workflows/, e.g. ci.yml. */
  workflow: string;
  sha: string;
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  /** Default main. */
  branch?: string;
  /** Default a new id. */
  runId?: number;
  /** When GitHub created the run (its clock); default now. Runs are listed newest first. */
  createdAt?: string;
  /** The artifact the run uploaded: its name and files (path inside the artifact → content). */
  artifact?: { name: string; files: Record<string, string> };
}

let lastRunId = 7_000_000;

/** Records the run on GitHub and uploads its artifact; the artifact service must serve GitHub's REST paths. */
export async function seedCiRun(
  github: GitHubEmulator,
  artifacts: ArtifactService,
  repository: string,
  run: CiRun,
): Promise<{ runId: number; artifactId: number | undefined }> {
  const runId = run.runId ?? ++lastRunId;
  github.addWorkflowRun(repository, {
    id: runId,
    path: `.github/workflows/${run.workflow}`,
    event: 'push',
    head_branch: run.branch ?? 'main',
    head_sha: run.sha,
    status: run.conclusion === null ? 'in_progress' : 'completed',
    conclusion: run.conclusion,
    ...(run.createdAt ? { created_at: run.createdAt } : {}),
  });
  if (!run.artifact) return { runId, artifactId: undefined };
  const root = mkdtempSync(join(tmpdir(), 'dg-ci-artifact-'));
  try {
    const files = Object.entries(run.artifact.files).map(([path, content]) => {
      const file = join(root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    });
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const name = run.artifact.name;
    // The upload step of that run's job, with the runner's credentials for it.
    const uploaded = await withLibraryEnv(artifacts.env(runId, 'ci'), () =>
      withoutDebugLines(() => new DefaultArtifactClient().uploadArtifact(name, files, root)),
    );
    return { runId, artifactId: uploaded.id };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The library logs through @actions/core, whose `::debug::` lines a runner hides unless debug logging is
 * on; here the sandbox is the runner, so it hides them from the rehearsal's output the same way.
 */
async function withoutDebugLines<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('::debug::')
      ? true
      : (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}
