/**
 * The sandbox seeds a CI run's artifact through the real @actions/artifact client in its own process: the
 * client's log (info, `::debug::` and `::add-mask::` lines) belongs to that CI run, not to the rehearsal's
 * output.
 */
import { expect, it } from 'vitest';
import type { ArtifactService } from '../../sandbox/artifact/service.js';
import { seedCiRun } from '../../sandbox/ci-run.js';
import type { GitHubEmulator } from '../../sandbox/github/emulator.js';
import { useGitHubWithArtifacts } from '../support/github-artifacts.js';

const REPO = 'neonpro/platform';
let github: GitHubEmulator;
let artifacts: ArtifactService;

useGitHubWithArtifacts(REPO, (started) => {
  ({ github, artifacts } = started);
});

it("uploads the run's artifact without printing the client's log into the rehearsal's output", async () => {
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
  expect(written).toEqual(['after the upload\n']);
});
