/**
 * The sandbox seeds a CI run's artifact through the real @actions/artifact client in its own process: the
 * rehearsal's output must not carry the client's `::debug::` lines, which a runner hides.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ArtifactService, startArtifactService } from '../../sandbox/artifact/service.js';
import { seedCiRun } from '../../sandbox/ci-run.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';

const REPO = 'neonpro/platform';
let github: GitHubEmulator;
let artifacts: ArtifactService;

beforeAll(async () => {
  [github, artifacts] = await Promise.all([
    startGitHubEmulator(),
    startArtifactService({ repository: REPO }),
  ]);
  github.useArtifactService(artifacts);
});
afterAll(async () => {
  await Promise.all([github?.close(), artifacts?.close()]);
});

it("uploads the run's artifact without printing the client's debug lines, and prints the rest", async () => {
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  }) as typeof write;
  try {
    const seeded = await seedCiRun(github, artifacts, REPO, {
      workflow: 'ci.yml',
      sha: 'a'.repeat(40),
      conclusion: 'success',
      artifact: { name: 'reports', files: { 'coverage/lcov.info': 'TN:\nend_of_record\n' } },
    });
    expect(seeded.artifactId).toBeGreaterThan(0);
    // Once the upload is done, the output is the process's own again.
    process.stdout.write('after the upload\n');
  } finally {
    process.stdout.write = write;
  }
  expect(written.filter((c) => c.includes('::debug::'))).toEqual([]);
  expect(written).toContain('after the upload\n');
});
