import { BackupCheckError, proveBackupOpens } from '../backup/prove-opens.js';
import { getStoredBackup } from '../backup/restore-backup.js';
import type { BackupStore } from '../backup/store.js';
import { InputError } from '../errors.js';
import type { RunContext } from '../runner/runner.js';
import type { MigrateInputs } from './inputs.js';

/**
 * Before migrating: the stored backup, read back as the rollback will read it, opens with what the
 * rollback will have (the identity, or the passphrase) and pg_restore --list reads its table of contents.
 * A backup nobody can decrypt is no backup: then nothing is migrated.
 */
export async function provePhase(
  inputs: MigrateInputs,
  ctx: RunContext,
  store: BackupStore,
  location: string,
): Promise<{ tocEntries: number }> {
  const stored = await getStoredBackup(store, location, `${ctx.runnerTemp}/deploy-gates`);
  try {
    return await proveBackupOpens(stored, inputs.rollbackKey);
  } catch (err) {
    if (err instanceof BackupCheckError && err.about === 'key' && inputs.rollbackKey.kind === 'identities')
      throw new InputError(
        'backup-identity',
        `does not open the backup just taken (${err.message})`,
        "Give the identity of one of backup-recipients: it is what the rollback's backup-identity gets. Nothing was migrated.",
      );
    throw err;
  } finally {
    await stored.cleanup();
  }
}

/** Before the backup: some identity is the key of one of backup-recipients (the proof comes after). */
export async function checkIdentityMatches(inputs: MigrateInputs): Promise<void> {
  if (inputs.rollbackKey.kind !== 'identities' || inputs.encryption.kind !== 'recipients') return;
  const { identityToRecipient } = await import('age-encryption');
  const recipients = new Set(inputs.encryption.recipients);
  const theirs = await Promise.all(inputs.rollbackKey.identities.map((i) => identityToRecipient(i)));
  if (!theirs.some((r) => recipients.has(r)))
    throw new InputError(
      'backup-identity',
      `is the key of ${theirs.join(', ')}, which is not one of backup-recipients, so the rollback could not decrypt the backup`,
      'Give the identity of one of backup-recipients (age-keygen -y identity.txt prints its public key).',
    );
}
