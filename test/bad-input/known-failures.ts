/**
 * Bad-input cases that do not yet fail clearly, each with why. The suite asserts each still fails, so a
 * fix must take its line out; a case that breaks anew is never added here silently.
 */
export interface KnownFailure {
  /** The case id: `<action> <input> <kind>[#n]`. */
  id: string;
  reason: string;
}

export const KNOWN_FAILURES: KnownFailure[] = [
  {
    id: 'db-migrate-backup encryption-key metacharacters',
    reason:
      'the passphrase is accepted as any text; its shape is not checked before the backup (a line break or a 20,000-character value reaches age)',
  },
  {
    id: 'db-migrate-backup encryption-key line-break',
    reason:
      'the passphrase is accepted as any text; its shape is not checked before the backup (a line break or a 20,000-character value reaches age)',
  },
  {
    id: 'db-migrate-backup encryption-key huge',
    reason:
      'the passphrase is accepted as any text; its shape is not checked before the backup (a line break or a 20,000-character value reaches age)',
  },
  {
    id: 'db-migrate-backup backup-path unwritable-path',
    reason:
      'as root, access(W_OK) passes on /proc, so a folder there fails only when the backup is stored, after pg_dump ran',
  },
  {
    id: 'db-migrate-backup migrate-command missing-path',
    reason:
      'migrate-command is only run with migrate: command; with dbmate (the baseline) it is ignored, and a missing program is not looked up',
  },
  {
    id: 'post-validate thresholds malformed#3',
    reason:
      'thresholds are checked for grammar only: a target check that does not exist and a negative bound are accepted',
  },
  {
    id: 'vercel-deploy sri-globs line-break',
    reason:
      'a line break separates globs, and a glob matching nothing is accepted (SRI globs may match files only the build makes)',
  },
];
