import { afterAll, beforeAll } from 'vitest';
import { type ArtifactService, startArtifactService } from '../../sandbox/artifact/service.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../sandbox/github/emulator.js';

/**
 * For a test file: a GitHub emulator that serves the artifact REST endpoints of `repository` from an
 * artifact service, as GitHub does for @actions/artifact's `findBy`; started before the file's tests,
 * closed after them.
 */
export function useGitHubWithArtifacts(
  repository: string,
  use: (started: { github: GitHubEmulator; artifacts: ArtifactService }) => void,
): void {
  let github: GitHubEmulator | undefined;
  let artifacts: ArtifactService | undefined;
  beforeAll(async () => {
    [github, artifacts] = await Promise.all([startGitHubEmulator(), startArtifactService({ repository })]);
    github.useArtifactService(artifacts);
    use({ github, artifacts });
  });
  afterAll(async () => {
    await Promise.all([github?.close(), artifacts?.close()]);
  });
}
