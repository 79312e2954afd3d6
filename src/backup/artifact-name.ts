/**
 * Artifact names and the location strings that point at them. GitHub rejects these characters in
 * artifact names (NTFS cannot hold them, and download-artifact makes a folder of the name).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace
const FORBIDDEN = /[":<>|*?\\/\u0000-\u001f\u007f]/g;
// A longer name cannot become the folder download-artifact extracts into on most file systems.
const MAX_NAME_LENGTH = 255;
const PREFIX = 'artifact:';

export class ArtifactNameError extends Error {
  override readonly name = 'ArtifactNameError';
}

/** What GitHub refuses in `name` as an artifact name, as given; undefined when it is a usable name. */
export function artifactNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name !== name.replace(FORBIDDEN, '-'))
    return 'contains a character GitHub forbids in artifact names (" : < > | * ? \\ / or a control character)';
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

/** The artifact name for backup `id`: forbidden characters become '-', outer blanks and dots go. */
export function artifactName(id: string): string {
  const name = id.replace(FORBIDDEN, '-').replace(/^[\s.]+|[\s.]+$/g, '');
  if (name === '') {
    throw new ArtifactNameError(
      `Backup id "${id}" leaves no usable artifact name once the characters GitHub forbids ` +
        '(" : < > | * ? \\ / and control characters) are removed; use letters, digits, "-", "_" or ".".',
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new ArtifactNameError(
      `Backup id "${id.slice(0, 40)}…" gives an artifact name of ${name.length} characters; ` +
        `at most ${MAX_NAME_LENGTH} fit in a folder name. Use a shorter backup id.`,
    );
  }
  return name;
}

export interface ArtifactLocation {
  /** GitHub's workflow run id (github.run_id); absent: the run that reads it. */
  runId?: string;
  name: string;
}

/** `artifact:<run id>/<name>`: '/' cannot occur in a name, so the split is unambiguous. */
export function formatArtifactLocation({ runId, name }: ArtifactLocation): string {
  return runId ? `${PREFIX}${runId}/${name}` : `${PREFIX}${name}`;
}

/** Whether a location names an artifact backup (as opposed to a path store's). */
export const isArtifactLocation = (location: string): boolean => location.startsWith(PREFIX);

export function parseArtifactLocation(location: string): ArtifactLocation {
  const rest = location.startsWith(PREFIX) ? location.slice(PREFIX.length) : undefined;
  const match = rest === undefined ? null : /^(?:(\d+)\/)?([^/]+)$/.exec(rest);
  if (!match?.[2] || match[2] !== match[2].replace(FORBIDDEN, '-')) {
    throw new ArtifactNameError(
      `"${location}" is not an artifact backup location; expected artifact:<run id>/<name> ` +
        '(the location the backup step wrote as its output).',
    );
  }
  return match[1] ? { runId: match[1], name: match[2] } : { name: match[2] };
}
