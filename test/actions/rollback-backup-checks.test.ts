import { describe, expect, it } from 'vitest';
import type { GitHubEmulator } from '../../sandbox/github/emulator.js';
import type { PgCluster } from '../../sandbox/postgres/cluster.js';
import {
  type ActionRun,
  leakedSecrets,
  RUN_DEFAULTS,
  runBundle,
  unmaskedSecrets,
} from '../../sandbox/runner/run-bundle.js';
import type { VercelEmulator } from '../../sandbox/vercel/emulator.js';
import type { WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import type { Encryption } from '../../src/backup/encryption.js';
import {
  cleanedRuns,
  type RollbackWorld,
  runRollbackBundle,
  seedFailedRelease,
  useRollbackWorld,
} from '../support/action-world.js';
import { ageKey } from '../support/age-key.js';

// rollback's inputs about the pre-deploy backup (where it is, how it is stored, what opens it) are checked,
// and the backup fetched and opened, before the app step changes production: run from the committed
// bundle against the Vercel and GitHub emulators, a webhook receiver and a real PostgreSQL.
const ACTION = 'actions/rollback/dist/index.js';
const KEY = 'rollback-checks-passphrase';
let vercel: VercelEmulator;
let github: GitHubEmulator;
let hook: WebhookReceiver;
let pgc: PgCluster;
let world: RollbackWorld;
let n = 0;
const runs = cleanedRuns();
useRollbackWorld((w) => {
  ({ vercel, github, hook, pgc } = w);
  world = w;
});

/** v2 went live after v1; the database was backed up (with `encryption`) before v2's migration ran. */
const failedRelease = (encryption: Encryption = { kind: 'passphrase', passphrase: KEY }) =>
  seedFailedRelease(world, {
    name: `chk${++n}`,
    sql: "CREATE TABLE patients (id serial PRIMARY KEY, name text); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,20) g;",
    encryption,
    tempPrefix: 'dg-chk',
  });
type Release = Awaited<ReturnType<typeof failedRelease>>;
let shared: Release | undefined;

async function rollback(r: Release, inputs: Record<string, string> = {}) {
  const run = await runRollbackBundle(world, r, {
    key: KEY,
    reason: 'validate failed',
    runId: `55${n}`,
    inputs,
  });
  runs.push(run);
  return run;
}

const tableExists = async (db: string, t: string) =>
  (await pgc.psql(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${t}'`, db)) === '1';
const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error').map((a) => a.message);

/** Runs the rollback and checks that it changed nothing anywhere: no Vercel write, issue, webhook or restore. */
async function refused(r: Release, inputs: Record<string, string>): Promise<ActionRun> {
  const vercelBefore = vercel.requests.length;
  const issuesBefore = github.issues(RUN_DEFAULTS.repository).length;
  const hooksBefore = hook.delivered().length;
  const run = await rollback(r, inputs);
  expect(run.exitCode).toBe(1);
  expect(vercel.requests.slice(vercelBefore).filter((q) => q.method !== 'GET')).toEqual([]);
  expect(vercel.productionDeploymentId(r.name)).toBe(r.v2.id);
  expect(github.issues(RUN_DEFAULTS.repository)).toHaveLength(issuesBefore);
  expect(hook.delivered()).toHaveLength(hooksBefore);
  expect(await tableExists(r.name, 'consents')).toBe(true);
  expect(run.stdout).not.toMatch(/ at .+\.js:\d+/);
  return run;
}

describe('rollback checks the pre-deploy backup before it changes production', { timeout: 240_000 }, () => {
  it.each([
    [
      'backup-location',
      { 'backup-location': 'path:/nonexistent/backups/x-pre' },
      /^Input "backup-location": /,
    ],
    [
      'backup-location',
      { 'backup-location': 's3://backups/x-pre' },
      /^Input "backup-location": .*not a backup location/,
    ],
    [
      'backup-storage',
      { 'backup-storage': 'maybe' },
      /^Input "backup-storage": "maybe" is not one of artifact, path/,
    ],
    [
      'backup-storage',
      { 'backup-storage': 'artifact' },
      /^Input "backup-storage": is artifact but backup-location is a path/,
    ],
    [
      'backup-id',
      { 'backup-id': 'someone-else-pre' },
      /^Input "backup-id": is someone-else-pre, but the backup/,
    ],
    [
      'encryption-key',
      { 'encryption-key': 'not-the-passphrase' },
      /^Input "encryption-key": the key given does not open/,
    ],
    [
      'encryption-key',
      { 'encryption-key': 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p' },
      /^Input "encryption-key": is an age public key \(age1…\), which can encrypt but never decrypt/,
    ],
    [
      'backup-identity',
      { 'backup-identity': 'hunter2-not-a-key' },
      /^Input "backup-identity": is not an age identity file/,
    ],
    ['checks', { 'verify-url': '', checks: 'missing.json' }, /^Input "checks": missing\.json does not exist/],
  ])(
    'a bad %s: one input error, production and the database untouched, no incident, no webhook',
    async (_name, values, message) => {
      // Nothing changes when an input is refused: every case can look at the same release.
      shared ??= await failedRelease();
      const run = await refused(shared, values);
      expect(errors(run)).toEqual([expect.stringMatching(message)]);
    },
  );

  it('an unencrypted backup is refused when a key was given: it should have been encrypted', async () => {
    const r = await failedRelease({ kind: 'none' });
    const run = await refused(r, {});
    expect(errors(run)).toEqual([
      expect.stringMatching(/^Input "encryption-key": backup chk\d+-pre is not encrypted .*a key was given/),
    ]);
  });

  it('a backup encrypted to age recipients: an identity of another key is refused; its own identity file restores, every line of it masked', async () => {
    const key = await ageKey();
    const other = await ageKey();
    const r = await failedRelease({ kind: 'recipients', recipients: [key.recipient] });
    const wrong = await refused(r, { 'encryption-key': '', 'backup-identity': other.file });
    expect(errors(wrong)).toEqual([
      expect.stringMatching(/^Input "backup-identity": the key given does not open backup chk\d+-pre/),
    ]);

    const run = await rollback(r, { 'encryption-key': '', 'backup-identity': key.file });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['database-restored-from']).toBe(r.backup.manifest.id);
    expect(await tableExists(r.name, 'consents')).toBe(false);
    // The runner masks a log line by line: the identity's own line must be a mask by itself.
    expect(run.masks).toContain(key.secretLine);
    expect(leakedSecrets(run, [key.file, key.secretLine])).toEqual([]);
  });

  it('a multi-line backup-identity is masked line by line before any input is judged', async () => {
    const key = await ageKey();
    const run = await runBundle({
      action: ACTION,
      inputs: { 'vercel-token': '', 'vercel-project': 'x', 'backup-identity': key.file },
    });
    runs.push(run);
    expect(run.exitCode).toBe(1);
    expect(run.masks).toEqual(expect.arrayContaining([key.file.trim(), key.secretLine]));
    expect(unmaskedSecrets(run, [key.file.trim()])).toEqual([]);
  });
});
