import type { Decryption } from '../backup/encryption.js';
import { ageIdentities, isAgeRecipient } from '../backup/keys.js';
import {
  type BackupLocation,
  BackupLocationError,
  parseBackupLocation,
  STORAGE_KINDS,
  type StorageKind,
} from '../backup/location.js';
import { type DatabaseTarget, readDatabaseTarget } from '../db/target.js';
import { InputError } from '../errors.js';
import { ROLLBACK_INPUTS } from '../inputs/rollback.js';
import {
  type InputReader,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseList,
  parseName,
  parseSecretToken,
  parseSingleLine,
  requireInput,
} from '../runner/inputs.js';
import { readVercelTarget, type VercelTarget } from '../vercel/target.js';
import { assertHookPrograms, type Hook, parseHooks } from './hooks.js';

export type RestoreMode = 'auto' | 'always' | 'never';

export interface RollbackInputs {
  vercel: VercelTarget;
  previousDeploymentId: string;
  failedDeploymentId: string;
  aliasTimeoutMs: number;
  database: {
    /** The parsed, masked database; undefined when database-url is empty. */
    target: DatabaseTarget | undefined;
    restore: RestoreMode;
    /** true/false from db-migrate-backup; undefined when not given (then the manifest decides). */
    migrationsApplied: boolean | undefined;
    allowDataLoss: boolean;
    timestampColumns: string[];
    backupId: string;
    /** Undefined only when the database is left alone. */
    backupLocation: BackupLocation | undefined;
    /** Passphrase for the safety backup when the pre-deploy one was not encrypted to public keys. */
    encryptionKey: string;
    /** The age identities of backup-identity; undefined when not given. */
    identities: string[] | undefined;
  };
  hooks: Hook[];
  verify: { url: string; checks: string };
  github: {
    token: string;
    incident: number | undefined;
    environment: string;
    deploymentId: number | undefined;
  };
  notifyWebhook: string;
  reason: string;
}

const ID = /^[A-Za-z0-9_.:-]{1,200}$/;

function deploymentId(input: string, raw: string): string {
  const value = raw.trim();
  if (value !== '' && !ID.test(value)) {
    throw new InputError(
      input,
      `"${value}" is not a Vercel deployment id`,
      `Set ${input} to a deployment id such as dpl_6PqHrd2e7, e.g. the deployment-id output of vercel-deploy.`,
    );
  }
  return value;
}

function httpUrl(input: string, raw: string, what: string): string {
  const value = raw.trim();
  if (value === '') return '';
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    // The value may be a secret (webhook URLs carry their token): it is not repeated in the message.
    throw new InputError(input, 'is not an http(s) URL', `Set ${input} to ${what}.`);
  }
  return value;
}

/** Issue number, #number, or the issue's URL on GitHub. */
function issueNumber(raw: string): number | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const match = /^(?:#?(\d+)|https?:\/\/[^\s]+\/issues\/(\d+)\/?)$/.exec(value);
  const n = Number(match?.[1] ?? match?.[2]);
  if (!match || !Number.isSafeInteger(n) || n < 1) {
    throw new InputError(
      'incident',
      `"${value}" is not an issue number or issue URL`,
      'Set incident to the number (or URL) of an existing incident issue, or leave it empty to open one.',
    );
  }
  return n;
}

/** Column names go into the SQL that finds rows written after the backup: plain identifiers only. */
function timestampColumns(raw: string): string[] {
  const columns = parseList(raw);
  for (const column of columns) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(column)) {
      throw new InputError(
        'timestamp-columns',
        `${JSON.stringify(column.slice(0, 64))} is not a column name`,
        'List column names (letters, digits and _), comma or newline separated, e.g. updated_at,created_at.',
      );
    }
  }
  return columns;
}

function migrationsApplied(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) > 0;
  if (value === '[]') return false;
  if (value.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(value);
      if (Array.isArray(list)) return list.length > 0;
    } catch {
      // fall through to the boolean forms and their error
    }
  }
  return parseBoolean('migrations-applied', value, false);
}

function backupLocation(raw: string, storage: StorageKind | undefined): BackupLocation | undefined {
  if (raw.trim() === '') return undefined;
  let location: BackupLocation;
  try {
    location = parseBackupLocation(raw);
  } catch (err) {
    if (!(err instanceof BackupLocationError)) throw err;
    throw new InputError(
      'backup-location',
      err.message,
      'Pass the backup-location output of db-migrate-backup unchanged.',
    );
  }
  if (storage && storage !== location.kind) {
    throw new InputError(
      'backup-storage',
      `is ${storage} but backup-location is ${location.kind === 'path' ? 'a path' : 'an artifact'} location`,
      'Leave backup-storage empty: the location says where the backup is.',
    );
  }
  return location;
}

/** A public key never decrypts; an identity file holds identities and comments only. */
function checkKeys(passphrase: string, identity: string): string[] | undefined {
  if (passphrase && isAgeRecipient(passphrase)) {
    throw new InputError(
      'encryption-key',
      'is an age public key (age1…), which can encrypt but never decrypt a backup',
      'Give the passphrase db-migrate-backup encrypted with, or for a backup encrypted to backup-recipients the matching identity (AGE-SECRET-KEY-1…) in backup-identity.',
    );
  }
  if (identity) {
    const identities = ageIdentities(identity);
    if (!identities)
      throw new InputError(
        'backup-identity',
        'is not an age identity file (lines AGE-SECRET-KEY-1…, comments starting with #)',
        "Give the identity file whose public key is in db-migrate-backup's backup-recipients (age-keygen writes one).",
      );
    return identities;
  }
  return undefined;
}

/**
 * What opens a backup encrypted as its manifest says: the identity a backup encrypted to recipients, the
 * passphrase one encrypted with it; and the input named when it does not (or when a key was given for
 * an unencrypted backup).
 */
export function decryptionFor(
  kind: 'recipients' | 'passphrase' | 'none',
  db: Pick<RollbackInputs['database'], 'encryptionKey' | 'identities'>,
): { decryption: Decryption; keyInput: 'encryption-key' | 'backup-identity' } {
  const identity = { kind: 'identities', identities: db.identities ?? [] } as const;
  const passphrase = { kind: 'passphrase', passphrase: db.encryptionKey } as const;
  if (kind === 'recipients' && db.identities) return { decryption: identity, keyInput: 'backup-identity' };
  if (kind === 'passphrase' && db.encryptionKey)
    return { decryption: passphrase, keyInput: 'encryption-key' };
  if (kind === 'recipients' || (kind === 'none' && db.identities && !db.encryptionKey))
    return { decryption: db.identities ? identity : { kind: 'none' }, keyInput: 'backup-identity' };
  return {
    decryption: db.encryptionKey ? passphrase : db.identities ? identity : { kind: 'none' },
    keyInput: 'encryption-key',
  };
}

/**
 * Reads and checks every input before anything is changed. The declared secrets were masked by runAction
 * before the action started; `mask` hides the password inside the database URL as soon as it is parsed.
 */
export function readRollbackInputs(input: InputReader, mask: (secret: string) => void): RollbackInputs {
  const database = readDatabaseTarget(input, mask, { optional: true });
  const encryptionKey = input('encryption-key');
  const backupIdentity = input('backup-identity');
  const githubToken = input('github-token');
  const notifyWebhook = input('notify-webhook');

  const vercel = readVercelTarget(input);
  const restore = parseEnum<RestoreMode>(
    'restore-database',
    input('restore-database'),
    ['auto', 'always', 'never'],
    'auto',
  );
  const backupId = parseName('backup-id', input('backup-id'), 'a backup id');
  const storage = input('backup-storage')
    ? parseEnum<StorageKind>('backup-storage', input('backup-storage'), STORAGE_KINDS, 'artifact')
    : undefined;
  const location = backupLocation(input('backup-location'), storage);
  if (restore === 'always' && database === undefined) {
    throw new InputError(
      'database-url',
      'is empty but restore-database is always',
      'Set database-url to the production database URL, or restore-database to never.',
    );
  }
  if (database !== undefined && restore !== 'never' && location === undefined) {
    throw new InputError(
      'backup-location',
      'is empty, so there is no pre-deploy backup to restore',
      'Pass the backup-location (and backup-id) outputs of db-migrate-backup, or set restore-database to never.',
    );
  }
  parseSecretToken(
    'github-token',
    requireInput(
      'github-token',
      githubToken,
      'a token with issues: write and deployments: write (default github.token)',
    ),
  );
  return {
    vercel,
    previousDeploymentId: deploymentId('previous-deployment-id', input('previous-deployment-id')),
    failedDeploymentId: deploymentId('failed-deployment-id', input('failed-deployment-id')),
    aliasTimeoutMs: parseDuration(
      'alias-timeout',
      input('alias-timeout'),
      5 * 60_000,
      ROLLBACK_INPUTS['alias-timeout'],
    ),
    database: {
      target: database,
      restore,
      migrationsApplied: migrationsApplied(input('migrations-applied')),
      allowDataLoss: parseBoolean('allow-data-loss', input('allow-data-loss'), false),
      timestampColumns: timestampColumns(input('timestamp-columns') || 'updated_at,created_at'),
      backupId,
      backupLocation: location,
      encryptionKey,
      identities: checkKeys(encryptionKey, backupIdentity),
    },
    hooks: assertHookPrograms(parseHooks(input('hooks'))),
    verify: {
      url: httpUrl('verify-url', input('verify-url'), 'the production URL to check after the rollback'),
      checks: input('checks'),
    },
    github: {
      token: githubToken,
      incident: issueNumber(input('incident')),
      environment:
        parseName('github-environment', input('github-environment'), 'a GitHub environment name', {
          spaces: true,
        }) || 'production',
      deploymentId:
        parseInteger(
          'github-deployment-id',
          input('github-deployment-id'),
          0,
          ROLLBACK_INPUTS['github-deployment-id'],
        ) || undefined,
    },
    notifyWebhook: httpUrl(
      'notify-webhook',
      notifyWebhook,
      'a webhook URL that accepts JSON (e.g. a Slack incoming webhook)',
    ),
    reason: parseSingleLine('reason', input('reason'), { max: 1000 }),
  };
}
