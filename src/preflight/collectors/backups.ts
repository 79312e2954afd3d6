import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { fetchText } from './fetch-text.js';

export interface BackupFacts {
  source: string;
  id: string | null;
  verified: boolean;
  createdAt: string | null;
  ageHours: number | null;
  /** The newest backup that was restored into a scratch database and matched (verify: restore): a restore test. */
  restoreTestId: string | null;
  restoreTestedAt: string | null;
  restoreTestAgeDays: number | null;
}

/** One manifest document as read: an object or an array of them (a history). */
export interface ManifestText {
  text: string;
  display: string;
}

/** The manifest db-migrate-backup writes (a file or a URL serving it). */
export async function readManifest(
  manifest: { source: string; display: string; remote: boolean },
  timeoutMs: number,
): Promise<ManifestText> {
  const { source, display } = manifest;
  if (manifest.remote) return { text: (await fetchText(source, display, timeoutMs)).text, display };
  try {
    return { text: await readFile(source, 'utf8'), display };
  } catch (err) {
    throw new InputError(
      'backup-manifest',
      `${display} cannot be read (${(err as Error).message})`,
      'Point backup-manifest at the backup-manifest output of db-migrate-backup, or a URL serving it.',
    );
  }
}

export function parseManifests({ text, display }: ManifestText): Record<string, unknown>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InputError(
      'backup-manifest',
      `${display} is not JSON`,
      'Point backup-manifest at the JSON manifest db-migrate-backup writes.',
    );
  }
  return (Array.isArray(doc) ? doc : [doc]).filter(
    (m): m is Record<string, unknown> => m !== null && typeof m === 'object',
  );
}

const isVerified = (m: Record<string, unknown>) =>
  m.verified === true || (m.verification as { ok?: unknown } | undefined)?.ok === true;

/** Restored into a scratch database with every table's row count matching: what a restore test proves. */
const isRestoreTested = (m: Record<string, unknown>) =>
  isVerified(m) && (m.verification as { restore?: unknown } | undefined)?.restore === 'matched';

/** Newest first, by when the backup finished; manifests without a readable time are left out. */
function newest(list: Record<string, unknown>[]): { id: string | null; at: number } | undefined {
  return list
    .map((m) => ({
      id: typeof m.id === 'string' ? m.id : null,
      at: Date.parse(String(m.finishedAt ?? m.createdAt ?? '')),
    }))
    .filter((m) => !Number.isNaN(m.at))
    .sort((a, b) => b.at - a.at)[0];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The newest verified backup's age and the newest restore test's age over every manifest read (the
 * backup-manifest input and the backup drills' runs): the facts the backup rules judge.
 */
export function judgeManifests(texts: ManifestText[], now: Date): BackupFacts {
  const all = texts.flatMap(parseManifests);
  const backup = newest(all.filter(isVerified));
  const restore = newest(all.filter(isRestoreTested));
  return {
    source: texts.map((t) => t.display).join(', '),
    id: backup?.id ?? null,
    verified: backup !== undefined,
    createdAt: backup ? new Date(backup.at).toISOString() : null,
    ageHours: backup ? round1((now.getTime() - backup.at) / 3_600_000) : null,
    restoreTestId: restore?.id ?? null,
    restoreTestedAt: restore ? new Date(restore.at).toISOString() : null,
    restoreTestAgeDays: restore ? round1((now.getTime() - restore.at) / 86_400_000) : null,
  };
}
