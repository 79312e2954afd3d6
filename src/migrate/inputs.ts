import { availableParallelism } from 'node:os';
import type { Decryption, Encryption } from '../backup/encryption.js';
import { AGE_RECIPIENT, ageIdentities, isAgeRecipient } from '../backup/keys.js';
import { type DatabaseTarget, readDatabaseTarget } from '../db/target.js';
import { InputError } from '../errors.js';
import { DB_MIGRATE_BACKUP_INPUTS } from '../inputs/db-migrate-backup.js';
import {
  type InputReader,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseLines,
  parsePassphrase,
  parseSecretToken,
  parseSingleLine,
} from '../runner/inputs.js';
import { parseExistingPath, parseWritableFolder } from '../runner/paths.js';
import type { RunContext } from '../runner/runner.js';
import { splitCommandLine } from '../util/command-line.js';
import type { MigrateMode } from './tools.js';

export interface MigrateInputs {
  /** The database, parsed; `url` as given, for the migration tool's DATABASE_URL. */
  target: DatabaseTarget;
  workdir: string;
  migrate: MigrateMode;
  migrateCommand: string[];
  jobs: number;
  compression: number;
  verify: 'checksums' | 'restore';
  encryption: Encryption;
  /** What the rollback will open the backup with; proven on the stored backup before migrating. */
  rollbackKey: Decryption;
  storage:
    | { kind: 'path'; root: string }
    | { kind: 'artifact'; retentionDays: number | undefined; token: string | undefined };
  dryRun: boolean;
}

/**
 * Every input checked before anything is dumped or migrated. The database URL is masked as it is read;
 * the other secrets are masked by the caller first.
 */
export function readMigrateInputs(
  input: InputReader,
  ctx: RunContext,
  mask: (secret: string) => void,
): MigrateInputs {
  const target = readDatabaseTarget(input, mask);
  const rawCommand = parseSingleLine('migrate-command', input('migrate-command'), { max: 4096 });
  let migrateCommand: string[] = [];
  if (rawCommand) {
    const split = splitCommandLine(rawCommand);
    if (!split.ok)
      throw new InputError(
        'migrate-command',
        split.problem,
        'Quote arguments with spaces; the line is split into words, never run through a shell.',
      );
    migrateCommand = split.words;
  }
  const migrate = parseEnum('migrate', input('migrate'), DB_MIGRATE_BACKUP_INPUTS.migrate.values, 'auto');
  if (migrateCommand.length > 0 && migrate !== 'auto' && migrate !== 'command')
    throw new InputError(
      'migrate-command',
      `is set but migrate is ${migrate}, which never runs it`,
      migrate === 'none'
        ? 'Leave migrate-command empty with migrate: none, or set migrate: command to run it.'
        : `Set migrate: command to run it instead of ${migrate}, or leave migrate-command empty.`,
    );
  const encryptionMode = parseEnum(
    'encryption',
    input('encryption'),
    DB_MIGRATE_BACKUP_INPUTS.encryption.values,
    'age',
  );
  const recipients = parseLines(input('backup-recipients'));
  for (const r of recipients) {
    if (!AGE_RECIPIENT.test(r))
      throw new InputError(
        'backup-recipients',
        `"${r.slice(0, 12)}…" is not an age public key`,
        'List age public keys (age1…), one per line: age-keygen -y key.txt prints one.',
      );
  }
  const passphrase = parsePassphrase('encryption-key', input('encryption-key'));
  if (passphrase && isAgeRecipient(passphrase))
    throw new InputError(
      'encryption-key',
      'is an age public key (age1…), not a passphrase',
      'Put age public keys in backup-recipients (with their identity in backup-identity), or give a passphrase from a secret here.',
    );
  const rawIdentity = input('backup-identity');
  const identities = rawIdentity ? ageIdentities(rawIdentity) : undefined;
  if (rawIdentity && !identities)
    throw new InputError(
      'backup-identity',
      'is not an age identity file (lines AGE-SECRET-KEY-1…, comments starting with #)',
      'Give the identity file (age-keygen writes one) whose public key is in backup-recipients, from a secret.',
    );
  let encryption: Encryption = { kind: 'none' };
  let rollbackKey: Decryption = { kind: 'none' };
  if (encryptionMode === 'age') {
    if (recipients.length) {
      if (!identities)
        throw new InputError(
          'backup-identity',
          'is empty while backup-recipients are given, so nothing proves that the rollback can decrypt the backup',
          "Give the identity (AGE-SECRET-KEY-1…) of one of backup-recipients from a secret, the one the rollback's backup-identity gets.",
        );
      encryption = { kind: 'recipients', recipients };
      rollbackKey = { kind: 'identities', identities };
    } else if (passphrase) {
      encryption = { kind: 'passphrase', passphrase };
      rollbackKey = { kind: 'passphrase', passphrase };
    } else {
      throw new InputError(
        'encryption-key',
        'is empty and no backup-recipients are given, so the backup could not be encrypted',
        'Give backup-recipients (age public keys) or encryption-key (a passphrase from a secret); an unencrypted backup needs encryption: none spelled out.',
      );
    }
  }
  if (identities && encryption.kind !== 'recipients')
    throw new InputError(
      'backup-identity',
      'is set but the backup is not encrypted to backup-recipients',
      "Give backup-recipients (the identity's public key, age-keygen -y prints it), or leave backup-identity empty.",
    );
  const storageKind = parseEnum(
    'backup-storage',
    input('backup-storage'),
    ['artifact', 'path'] as const,
    'artifact',
  );
  const backupPath = input('backup-path');
  if (storageKind === 'path' && !backupPath)
    throw new InputError(
      'backup-path',
      'is empty while backup-storage is path',
      'Give a directory that the rollback job can read too (a mounted volume on self-hosted runners).',
    );
  const retention = input('retention-days');
  // Checked whatever the storage: a bad value must not wait for the day storage becomes artifact.
  const retentionDays = retention
    ? parseInteger('retention-days', retention, 7, DB_MIGRATE_BACKUP_INPUTS['retention-days'])
    : undefined;
  const token = input('github-token') ? parseSecretToken('github-token', input('github-token')) : undefined;
  return {
    target,
    workdir: parseExistingPath(
      'working-directory',
      input('working-directory') || '.',
      ctx.workspace,
      'folder',
    ),
    migrate,
    migrateCommand,
    jobs: parseInteger('jobs', input('jobs'), availableParallelism(), DB_MIGRATE_BACKUP_INPUTS.jobs),
    compression: parseInteger('compression', input('compression'), 6, DB_MIGRATE_BACKUP_INPUTS.compression),
    verify: parseEnum('verify', input('verify'), DB_MIGRATE_BACKUP_INPUTS.verify.values, 'checksums'),
    encryption,
    rollbackKey,
    storage:
      storageKind === 'path'
        ? { kind: 'path', root: parseWritableFolder('backup-path', backupPath, ctx.workspace) }
        : {
            kind: 'artifact',
            retentionDays,
            token,
          },
    dryRun: parseBoolean('dry-run', input('dry-run'), false),
  };
}
