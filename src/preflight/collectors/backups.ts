import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { fetchText } from './fetch-text.js';

export interface BackupFacts {
  source: string;
  id: string | null;
  verified: boolean;
  createdAt: string | null;
  ageHours: number | null;
}

/** The manifest db-migrate-backup writes (a file or a URL serving it): the newest verified backup's age. */
export async function collectBackups(
  manifest: { source: string; display: string; remote: boolean },
  now: Date,
  timeoutMs: number,
): Promise<BackupFacts> {
  const { source, display } = manifest;
  if (manifest.remote) return judgeManifest((await fetchText(source, display, timeoutMs)).text, display, now);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new InputError(
      'backup-manifest',
      `${display} cannot be read (${(err as Error).message})`,
      'Point backup-manifest at the backup-manifest output of db-migrate-backup, or a URL serving it.',
    );
  }
  return judgeManifest(text, display, now);
}

function judgeManifest(text: string, display: string, now: Date): BackupFacts {
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
  const list = (Array.isArray(doc) ? doc : [doc]) as Record<string, unknown>[];
  const verified = list
    .filter(
      (m) =>
        m &&
        typeof m === 'object' &&
        (m.verified === true || (m.verification as { ok?: unknown } | undefined)?.ok === true),
    )
    .map((m) => ({
      id: typeof m.id === 'string' ? m.id : null,
      at: String(m.finishedAt ?? m.createdAt ?? ''),
    }))
    .filter((m) => !Number.isNaN(Date.parse(m.at)))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const newest = verified[0];
  return {
    source: display,
    id: newest?.id ?? null,
    verified: newest !== undefined,
    createdAt: newest ? new Date(newest.at).toISOString() : null,
    ageHours: newest ? Math.round(((now.getTime() - Date.parse(newest.at)) / 3_600_000) * 10) / 10 : null,
  };
}
