import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findPgTool } from '../db/tools.js';
import { errorMessage } from '../errors.js';
import { mismatches } from './checksums.js';
import { type Decryption, decryptDir, type SealedKey } from './encryption.js';
import { listArchive } from './pg-dump.js';
import type { StoredBackup } from './restore-backup.js';

/** Which thing given to open the backup is wrong: where it is, or the key. */
export class BackupCheckError extends Error {
  override readonly name = 'BackupCheckError';
  constructor(
    readonly about: 'location' | 'key',
    message: string,
  ) {
    super(message);
  }
}

const TOC = 'toc.dat';

const encryptedHow = (kind: 'recipients' | 'passphrase') =>
  kind === 'recipients'
    ? 'to age public keys, so it opens with an age identity (AGE-SECRET-KEY-1…)'
    : 'with a passphrase, so it opens with that passphrase';

/**
 * Proves that `decryption` opens a stored backup, as the rollback will have to: the key decrypts the
 * header and table of contents (toc.dat, small; the data stays encrypted), whose checksum matches the
 * manifest, and pg_restore --list reads every entry of it. An unencrypted backup with a key given is
 * refused: whoever gave the key expected an encrypted backup of patient data.
 */
export async function proveBackupOpens(
  backup: StoredBackup,
  decryption: Decryption,
): Promise<{ tocEntries: number; sealedKey?: SealedKey }> {
  const m = backup.manifest;
  const kind = m.encryption.kind;
  if (kind === 'none') {
    if (decryption.kind !== 'none')
      throw new BackupCheckError(
        'key',
        `backup ${m.id} is not encrypted (taken with encryption: none), though a key was given to open it; a backup of patient data is expected to be encrypted`,
      );
    // getStoredBackup checked every stored file, toc.dat included.
    return { tocEntries: await tocEntries(backup, backup.stored) };
  }
  if (decryption.kind === 'none')
    throw new BackupCheckError(
      'key',
      `backup ${m.id} is encrypted ${encryptedHow(kind)}, and no key was given`,
    );
  if ((kind === 'recipients') !== (decryption.kind === 'identities'))
    throw new BackupCheckError(
      'key',
      `backup ${m.id} is encrypted ${encryptedHow(kind)}, not with ${decryption.kind === 'passphrase' ? 'a passphrase' : 'an age identity'}`,
    );
  const proof = join(backup.work, 'proof');
  let sealedKey: SealedKey | undefined;
  try {
    try {
      ({ sealedKey } = await decryptDir(backup.stored, proof, decryption, [TOC]));
    } catch (err) {
      throw new BackupCheckError('key', `the key given does not open backup ${m.id}: ${errorMessage(err)}`);
    }
    const bad = await mismatches(
      proof,
      m.files.filter((f) => f.path === TOC),
    );
    if (bad.length)
      throw new BackupCheckError(
        'location',
        `backup ${m.id} is damaged: its ${TOC} does not match the manifest`,
      );
    return { tocEntries: await tocEntries(backup, proof), ...(sealedKey ? { sealedKey } : {}) };
  } finally {
    await rm(proof, { recursive: true, force: true });
  }
}

/** pg_restore --list over the table of contents alone: it reads the header and every entry. */
async function tocEntries(backup: StoredBackup, dir: string): Promise<number> {
  const m = backup.manifest;
  const pgRestore = await findPgTool('pg_restore', m.tool.clientMajor);
  const toc = await listArchive(pgRestore, {}, dir).catch((err: Error) => {
    throw new BackupCheckError('location', `pg_restore --list cannot read backup ${m.id}: ${err.message}`);
  });
  // The entries the backup verified when it was taken, no fewer and no more (none for a database that held
  // nothing yet).
  if (toc.length !== m.verification.tocEntries)
    throw new BackupCheckError(
      'location',
      `pg_restore --list finds ${toc.length} table-of-contents entries in backup ${m.id}, which had ${m.verification.tocEntries} when it was taken`,
    );
  return toc.length;
}
