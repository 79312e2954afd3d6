import { MIGRATE_MODES } from '../migrate/tools.js';
import type { InputDeclarations } from '../runner/declared-inputs.js';
import { GATE_DECISION_INPUTS, GATE_REPORT_INPUTS } from './gate-decision.js';
import { WAIVER_APPROVER_INPUTS } from './waiver-approvers.js';

/**
 * db-migrate-backup's inputs, declared once: actions/db-migrate-backup/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const DB_MIGRATE_BACKUP_INPUTS = {
  'database-url': {
    kind: 'db-url',
    required: true,
    secret: true,
    description:
      'postgresql:// URL of the database (a secret; masked; the password reaches pg_dump only through a 0600 pgpass file, and the migration tool only as DATABASE_URL in its environment).',
  },
  'working-directory': {
    kind: 'folder',
    default: '.',
    description: 'The project folder holding the migrations (prisma/, db/migrations, migrations/).',
  },
  migrate: {
    kind: 'enum',
    default: 'auto',
    values: MIGRATE_MODES,
    description: 'auto, dbmate, node-pg-migrate, prisma, command or none.',
  },
  'migrate-command': {
    kind: 'command',
    description:
      'The program and arguments that apply the migrations (split into words, never run through a shell), e.g. npx prisma migrate deploy.',
  },
  jobs: {
    kind: 'int',
    min: 1,
    max: 64,
    description: "Parallel pg_dump and pg_restore jobs. Default the runner's cores.",
  },
  compression: {
    kind: 'int',
    default: '6',
    min: 0,
    max: 9,
    description: 'pg_dump compression level, 0 to 9.',
  },
  verify: {
    kind: 'enum',
    default: 'checksums',
    values: ['checksums', 'restore'],
    description:
      "checksums (SHA-256 of every file and a full pg_restore --list) or restore (also a full restore into a scratch database with every table's row count compared).",
  },
  encryption: {
    kind: 'enum',
    default: 'age',
    values: ['age', 'none'],
    description:
      'age (to backup-recipients or with encryption-key) or none (spelled out for an unencrypted backup).',
  },
  'backup-recipients': {
    kind: 'format',
    description: 'age public keys (age1…) the backup is encrypted to, one per line.',
  },
  'backup-identity': {
    kind: 'format',
    secret: true,
    description:
      'age identity file (AGE-SECRET-KEY-1…, a secret) of one of backup-recipients, required with them; before migrating, the stored backup is decrypted with it and pg_restore --list reads its table of contents, proving the rollback (which gets the same identity) can open it.',
  },
  'encryption-key': {
    kind: 'secret',
    secret: true,
    description:
      'Passphrase the backup is encrypted with when no recipients are given (a secret; never an age public key).',
  },
  'backup-storage': {
    kind: 'enum',
    default: 'artifact',
    values: ['artifact', 'path'],
    description:
      'artifact (a GitHub Actions artifact another job of the run can read) or path (a directory).',
  },
  'backup-path': {
    kind: 'out-folder',
    description: "The directory for backup-storage path (a volume the rollback job's runner mounts too).",
  },
  'retention-days': {
    kind: 'int',
    min: 1,
    max: 90,
    description: "Days the backup artifact is kept (1 to 90). Default the repository's setting.",
  },
  'github-token': {
    kind: 'secret',
    secret: true,
    description: 'Token with actions read, for reading backups of another run or attempt.',
  },
  'dry-run': {
    kind: 'bool',
    default: 'false',
    description: 'Back up, verify and list what would run, and change nothing.',
  },
  policies: {
    kind: 'policies',
    default: 'builtin:db-migrate',
    description: 'Policy files, globs or builtin names, one per line.',
  },
  waivers: {
    kind: 'file',
    description:
      'Waivers file; one lint finding is waived alone with scope /dbMigrate/lint/findings/<index> (SQL the parser rejects, /dbMigrate/lint/unparsed/<index>).',
  },
  ...WAIVER_APPROVER_INPUTS,
  ...GATE_DECISION_INPUTS,
  'report-file': { kind: 'out', description: 'Where the JSON report goes. Default under RUNNER_TEMP.' },
  ...GATE_REPORT_INPUTS,
} as const satisfies InputDeclarations;
