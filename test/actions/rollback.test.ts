import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getOctokit } from '@actions/github';
import { describe, expect, it } from 'vitest';
import type { GitHubEmulator } from '../../sandbox/github/emulator.js';
import type { PgCluster } from '../../sandbox/postgres/cluster.js';
import { type ActionRun, leakedSecrets, RUN_DEFAULTS, runBundle } from '../../sandbox/runner/run-bundle.js';
import type { VercelEmulator } from '../../sandbox/vercel/emulator.js';
import type { WebhookReceiver } from '../../sandbox/webhook/receiver.js';
import { PathStore } from '../../src/backup/path-store.js';
import { fetchBackup, restoreBackup } from '../../src/backup/restore-backup.js';
import { parseDatabaseUrl } from '../../src/db/connection.js';
import { workspace } from '../policy/helpers.js';
import {
  cleanedRuns,
  liveVersions,
  type Release,
  type RollbackWorld,
  runRollbackBundle,
  seedFailedRelease,
  useRollbackWorld,
} from '../support/action-world.js';
import { scriptedServer } from '../support/scripted-server.js';
import { untilRow } from '../support/until-row.js';

// rollback, run from its committed bundle as the runner runs it, against the Vercel and GitHub emulators,
// a webhook receiver and a real PostgreSQL, with a backup taken by db-migrate-backup's own machinery.
const ACTION = 'actions/rollback/dist/index.js';
const KEY = 'rollback-test-passphrase';
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

/** A project whose v2 went live after v1, a database backed up before v2's migration, which then ran. */
const failedRelease = (setup = '') =>
  seedFailedRelease(world, {
    name: `app${++n}`,
    sql: `CREATE TABLE patients (id serial PRIMARY KEY, name text, updated_at timestamptz DEFAULT now()); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,50) g;${setup}`,
    encryption: { kind: 'passphrase', passphrase: KEY },
    tempPrefix: 'dg-rb',
    expectLocation: true,
  });

async function rollback(
  r: Release,
  inputs: Record<string, string> = {},
  opts: { runId?: string; attempt?: number; kill?: AbortSignal } = {},
) {
  const run = await runRollbackBundle(world, r, {
    key: KEY,
    reason: 'validate failed: error rate 7 %',
    runId: opts.runId ?? `77${n}`,
    runAttempt: opts.attempt ?? 1,
    inputs,
    ...(opts.kill ? { kill: opts.kill } : {}),
  });
  runs.push(run);
  return run;
}

/** Two GitHub deployments of production as vercel-deploy leaves them: v1 retired by v2, v2 live. */
async function githubDeployments(): Promise<{ v1: number; v2: number }> {
  const octokit = getOctokit(github.token, { baseUrl: github.apiUrl });
  const [owner = '', repo = ''] = RUN_DEFAULTS.repository.split('/');
  const ids: number[] = [];
  for (const url of ['https://v1.example', 'https://v2.example']) {
    const { data } = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: RUN_DEFAULTS.sha,
      environment: 'production',
      required_contexts: [],
      auto_merge: false,
    });
    if (!('id' in data)) throw new Error('no deployment');
    for (const prior of ids)
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: prior,
        state: 'inactive',
      });
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: data.id,
      state: 'success',
      environment_url: url,
    });
    ids.push(data.id);
  }
  return { v1: ids[0] ?? 0, v2: ids[1] ?? 0 };
}
const githubStates = (id: number) =>
  github
    .deployments(RUN_DEFAULTS.repository)
    .find((d) => d.id === id)
    ?.statuses.map((s) => s.state);

const tableExists = async (db: string, t: string) =>
  (await pgc.psql(`SELECT count(*) FROM information_schema.tables WHERE table_name = '${t}'`, db)) === '1';

/** db-migrate-backup's bundle deploying dbmate migrations (file → SQL) to `name`; it must succeed. */
async function deployDatabase(
  name: string,
  backups: string,
  runId: string,
  files: Record<string, string>,
  inputs: Record<string, string> = {},
) {
  const run = await runBundle({
    action: 'actions/db-migrate-backup/dist/index.js',
    workspace: workspace(
      Object.fromEntries(
        Object.entries(files).map(([f, sql]) => [
          `db/migrations/${f}`,
          `-- migrate:up\n${sql}\n-- migrate:down\nSELECT 1;\n`,
        ]),
      ),
    ),
    inputs: {
      'database-url': `${pgc.url(name)}?sslmode=disable`,
      'backup-storage': 'path',
      'backup-path': backups,
      'encryption-key': KEY,
      jobs: '1',
      ...inputs,
    },
    runId,
    stepId: 'db',
    timeoutMs: 120_000,
  });
  runs.push(run);
  expect(run.exitCode, run.stdout).toBe(0);
  return run;
}

/** The release a rollback undoes: v2 live after v1, the database backed up by `deploy` before migrating. */
const releaseOf = (name: string, versions: Pick<Release, 'v1' | 'v2'>, deploy: ActionRun): Release => ({
  name,
  ...versions,
  backup: {
    manifest: { id: deploy.outputs['backup-id'] ?? '' },
    location: deploy.outputs['backup-location'] ?? '',
  },
});

// Three runs, each with a safety backup (scrypt at full work factor) and a restore: on a loaded 2-core
// machine one case took 126 s.
/** The id rollback gives the safety backup of `db` in a run attempt: the database, its server, the run. */
const safetyBackupId = (db: string, runId: string, attempt: number) => {
  const { hostname, port } = new URL(pgc.url(db));
  return `${db}-${hostname}-${port || 5432}-safety-${runId}-${attempt}`.replace(/[^A-Za-z0-9._-]/g, '-');
};
const THREE_RUNS_MS = 420_000;

// Each case runs the action two or three times with backups and restores: well over vitest's 60 s on a
// loaded 2-core machine.
describe('rollback action', { timeout: 240_000 }, () => {
  it('restores the previous deployment and the pre-deploy database, verifies, records the incident and notifies; a second run changes nothing', async () => {
    const r = await failedRelease();
    const gh = await githubDeployments();
    const run = await rollback(r, { 'github-deployment-id': String(gh.v2) });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(githubStates(gh.v2)).toEqual(['failure', 'success']);
    expect(githubStates(gh.v1)).toEqual(['success', 'inactive', 'success']);
    expect(
      github.deployments(RUN_DEFAULTS.repository).find((d) => d.id === gh.v1)?.statuses[0],
    ).toMatchObject({
      environment_url: 'https://v1.example',
    });
    expect(run.outputs).toMatchObject({
      'rolled-back': 'true',
      'app-restored-to': r.v1.id,
      'database-restored-from': r.backup.manifest.id,
    });
    expect(vercel.productionDeploymentId(r.name)).toBe(r.v1.id);
    expect(await tableExists(r.name, 'consents')).toBe(false);
    expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('50');
    const issues = github.issues(RUN_DEFAULTS.repository);
    expect(issues.filter((i) => i.labels.includes('incident'))).toHaveLength(1);
    expect(run.outputs['incident-url']).toMatch(/\/issues\/\d+$/);
    await hook.waitForRequests(1);
    expect(hook.delivered().at(-1)?.json).toMatchObject({ text: expect.any(String) });
    expect(run.outputs['safety-backup-id']).toBeTruthy();
    expect(leakedSecrets(run, [vercel.token, github.token, KEY, pgc.password])).toEqual([]);
    // The decrypted pre-deploy dump is patient data: nothing of it stays on the runner.
    const left = readdirSync(join(run.runnerTemp, 'deploy-gates'), { recursive: true }).map(String);
    expect(left.filter((f) => /\.(dat|toc)(\.gz)?$/.test(f))).toEqual([]);

    const again = await rollback(
      r,
      { 'github-deployment-id': String(gh.v2) },
      { runId: `77${n}`, attempt: 2 },
    );
    expect(again.exitCode, again.stdout).toBe(0);
    expect(githubStates(gh.v2)).toEqual(['failure', 'success']);
    expect(githubStates(gh.v1)).toEqual(['success', 'inactive', 'success']);
    const steps = JSON.parse(again.outputs.steps ?? '{}');
    expect(JSON.stringify(steps)).toContain('skipped');
    expect(github.issues(RUN_DEFAULTS.repository).filter((i) => i.labels.includes('incident'))).toHaveLength(
      1,
    );
  });

  it('refuses to throw away rows written after the backup without allow-data-loss, names them, proceeds with it, and the safety backup brings them back', async () => {
    const r = await failedRelease();
    await pgc.psql("INSERT INTO patients (name) VALUES ('written after the backup');", r.name);
    const refused = await rollback(r);
    expect(refused.exitCode).toBe(1);
    expect(refused.outputs['rolled-back']).toBe('false');
    expect(refused.stdout).toMatch(/patients/);
    expect(await tableExists(r.name, 'consents')).toBe(true);
    expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('51');

    const allowed = await rollback(r, { 'allow-data-loss': 'true' }, { attempt: 2 });
    expect(allowed.exitCode, allowed.stdout).toBe(0);
    expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('50');
    const safetyId = allowed.outputs['safety-backup-id'] ?? '';
    expect(safetyId).toBeTruthy();

    // Nothing lost: the safety backup brings the row written after the pre-deploy backup back.
    const root = dirname(r.backup.location.slice('path:'.length));
    const fetched = await fetchBackup(
      new PathStore('/'),
      `path:${root}/${safetyId}`,
      mkdtempSync(join(tmpdir(), 'dg-rb-f-')),
      {
        kind: 'passphrase',
        passphrase: KEY,
      },
    );
    const recovered = `${r.name}_recovered`;
    await pgc.createDatabase(recovered);
    await restoreBackup(
      parseDatabaseUrl('database-url', pgc.url(recovered)),
      fetched,
      mkdtempSync(join(tmpdir(), 'dg-rb-r-')),
    );
    await fetched.cleanup();
    expect(
      await pgc.psql("SELECT count(*) FROM patients WHERE name = 'written after the backup'", recovered),
    ).toBe('1');
  });

  it('a rollback failing at each step (alias stuck, GitHub down, then a hook) finishes on re-runs, running each hook once', async () => {
    const r = await failedRelease();
    const marker = join(mkdtempSync(join(tmpdir(), 'dg-rb-hook-')), 'ran-once');
    const count = join(mkdtempSync(join(tmpdir(), 'dg-rb-hook-')), 'count');
    const inputs = {
      'alias-timeout': '2s',
      hooks: [
        `node -e "require('fs').appendFileSync(process.argv[1], 'x')" ${count}`,
        `node -e "const f=require('fs'); if (!f.existsSync(process.argv[1])) { f.writeFileSync(process.argv[1], ''); process.exit(3) }" ${marker}`,
      ].join('\n'),
    };
    vercel.failNextAliasMove('alias-not-moved');
    github.failNext(10_000);
    const first = await rollback(r, inputs, { runId: `88${n}` });
    github.failNext(0);
    expect(first.exitCode).toBe(1);
    expect(first.outputs['rolled-back']).toBe('false');
    const status = (run: ActionRun) =>
      Object.fromEntries(
        Object.entries(JSON.parse(run.outputs.steps ?? '{}') as Record<string, { status: string }>).map(
          ([k, v]) => [k, v.status],
        ),
      );
    expect(status(first)).toMatchObject({ app: 'failed', hooks: 'failed', record: 'failed' });
    expect(vercel.productionDeploymentId(r.name)).toBe(r.v2.id);

    // GitHub is back; the hooks get their journal and the second hook fails, once.
    const second = await rollback(r, inputs, { runId: `88${n}`, attempt: 2 });
    expect(second.exitCode).toBe(1);
    expect(status(second)).toMatchObject({ app: 'done', hooks: 'failed', record: 'done' });
    expect(vercel.productionDeploymentId(r.name)).toBe(r.v1.id);

    const third = await rollback(r, inputs, { runId: `88${n}`, attempt: 3 });
    expect(third.exitCode, third.stdout).toBe(0);
    expect(third.outputs['rolled-back']).toBe('true');
    expect(status(third)).toMatchObject({ app: 'skipped', hooks: 'done', verify: 'done', record: 'done' });
    expect(await tableExists(r.name, 'consents')).toBe(false);
    expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('50');
    expect(
      github.issues(RUN_DEFAULTS.repository).filter((i) => i.body.includes(`run-id=88${n} `)),
    ).toHaveLength(1);

    const fourth = await rollback(r, inputs, { runId: `88${n}`, attempt: 4 });
    expect(fourth.exitCode, fourth.stdout).toBe(0);
    expect(readFileSync(count, 'utf8')).toBe('x');
  });

  it('finds updates, deletes and inserts in a table without timestamp columns and refuses to restore over them', async () => {
    const r = await failedRelease(
      " CREATE TABLE codes (code text PRIMARY KEY, label text); INSERT INTO codes SELECT 'c'||g, 'x' FROM generate_series(1,10) g;",
    );
    // After the backup: 3 updates, 1 delete, 1 insert; the row count stays 10.
    await pgc.psql(
      "UPDATE codes SET label = 'y' WHERE code IN ('c1','c2','c3'); DELETE FROM codes WHERE code = 'c4'; INSERT INTO codes VALUES ('c11', 'z');",
      r.name,
    );
    const refused = await rollback(r);
    expect(refused.exitCode, refused.stdout).toBe(1);
    expect(refused.outputs['rolled-back']).toBe('false');
    expect(refused.outputs['rows-written-since-backup']).toBe('4');
    expect(JSON.parse(refused.outputs['writes-since-backup'] ?? '[]')).toEqual([
      {
        table: 'public.codes',
        rowsInBackup: 10,
        rowsNow: 10,
        insertedOrUpdated: 4,
        updatedOrDeleted: 4,
        written: 4,
      },
    ]);
    expect(refused.summary).toContain(
      'public.codes: 4 rows inserted or updated, 4 rows of the backup updated or deleted',
    );
    expect(refused.outputs['safety-backup-id']).toBeTruthy();
    // Nothing restored: the writes and the migration are still there.
    expect(
      await pgc.psql(
        `SELECT string_agg(code || label, ',' ORDER BY code COLLATE "C") FROM codes WHERE label <> 'x'`,
        r.name,
      ),
    ).toBe('c1y,c11z,c2y,c3y');
    expect(await tableExists(r.name, 'consents')).toBe(true);
  });

  it('a database created for this release: its empty backup is taken and proved, and the rollback empties it again, the schema the migration made included', async () => {
    const name = `fresh${++n}`;
    const versions = await liveVersions(vercel, name);
    await pgc.createDatabase(name);
    const deploy = await deployDatabase(
      name,
      mkdtempSync(join(tmpdir(), 'dg-rb-fresh-')),
      `34${n}`,
      {
        '20260301000000_patients.sql':
          "CREATE TABLE patients (id int);\nCREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT 'hi' $$;\nCREATE SCHEMA audit;\nCREATE TABLE audit.log (id int);",
      },
      { verify: 'restore' },
    );
    expect(deploy.stdout).toContain('the database holds no objects of its own yet');
    expect(deploy.stdout).toContain("The rollback's key opens backup");
    expect(await tableExists(name, 'patients')).toBe(true);
    const rolled = await rollback(
      releaseOf(name, versions, deploy),
      { 'migrations-applied': deploy.outputs['migrations-applied'] ?? '' },
      { runId: `35${n}` },
    );
    expect(rolled.exitCode, rolled.stdout).toBe(0);
    expect(rolled.outputs['database-restored-from']).toBe(deploy.outputs['backup-id']);
    expect(await tableExists(name, 'patients')).toBe(false);
    expect(await pgc.psql("SELECT count(*) FROM pg_proc WHERE proname = 'greet'", name)).toBe('0');
    // The schema the migration made is not in the backup: the rollback removes it too.
    expect(await pgc.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'audit'", name)).toBe('0');
  });

  it('a database deployed to before: the rollback restores and passes its check, and a re-run after new writes keeps them', async () => {
    const name = `redeploy${++n}`;
    const { v1, v2 } = await liveVersions(vercel, name);
    await pgc.createDatabase(name);
    await pgc.psql(
      "CREATE TABLE patients (id serial PRIMARY KEY, name text); INSERT INTO patients (name) SELECT 'p'||g FROM generate_series(1,50) g;",
      name,
    );
    const backups = mkdtempSync(join(tmpdir(), 'dg-rb-deploys-'));
    const deploy = (runId: string, files: Record<string, string>) =>
      deployDatabase(name, backups, runId, files);
    const first = { '20260301000000_consents.sql': 'CREATE TABLE consents (id int);' };
    await deploy(`31${n}`, first);
    const second = await deploy(`32${n}`, {
      ...first,
      '20260302000000_notes.sql': 'CREATE TABLE notes (id int);',
    });
    const release = releaseOf(name, { v1, v2 }, second);
    const inputs = { 'migrations-applied': second.outputs['migrations-applied'] ?? '' };
    const rolled = await rollback(release, inputs, { runId: `33${n}` });
    expect(rolled.exitCode, rolled.stdout).toBe(0);
    expect(rolled.outputs['database-restored-from']).toBe(second.outputs['backup-id']);
    expect(await tableExists(name, 'notes')).toBe(false);
    expect(await tableExists(name, 'consents')).toBe(true);
    // The journals survive the restore: both deploys' records and the rollback's.
    expect(await pgc.psql('SELECT count(*) FROM deploy_gates.migrate_journal', name)).toBe('2');
    expect(
      await pgc.psql("SELECT string_agg(state, ',' ORDER BY at) FROM deploy_gates.rollback_journal", name),
    ).toBe('restoring,restored');

    // The app writes again; the job is re-run, even with allow-data-loss: no second restore.
    await pgc.psql("INSERT INTO patients (name) SELECT 'after'||g FROM generate_series(1,9) g;", name);
    const again = await rollback(
      release,
      { ...inputs, 'allow-data-loss': 'true' },
      { runId: `33${n}`, attempt: 2 },
    );
    expect(again.exitCode, again.stdout).toBe(0);
    expect(JSON.parse(again.outputs.steps ?? '{}').database).toMatchObject({ status: 'skipped' });
    expect(await pgc.psql("SELECT count(*) FROM patients WHERE name LIKE 'after%'", name)).toBe('9');
    expect(
      await pgc.psql("SELECT count(*) FROM deploy_gates.rollback_journal WHERE state = 'restored'", name),
    ).toBe('1');
  });

  it('a restore that fails leaves the database as it was and names the safety backup; the re-run names the same one', async () => {
    const role = `auditor_${n + 1}`;
    const r = await failedRelease(` CREATE ROLE ${role}; GRANT SELECT ON patients TO ${role};`);
    // The role the backup grants to is gone: pg_restore fails at the grant, after every table and row.
    await pgc.psql(`DROP OWNED BY ${role}; DROP ROLE ${role};`, r.name);
    const failed = await rollback(r, {}, { runId: `44${n}` });
    expect(failed.exitCode).toBe(1);
    const firstSafety = failed.outputs['safety-backup-id'] ?? '';
    expect(firstSafety).toMatch(/-safety-44\d+-1$/);
    expect(failed.stdout).toMatch(
      new RegExp(
        `Restoring backup ${r.backup.manifest.id} failed: .*role "${role}" does not exist.*as it was before it.*safety backup ${firstSafety}`,
      ),
    );
    expect(await tableExists(r.name, 'consents')).toBe(true);
    expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('50');

    await pgc.psql(`CREATE ROLE ${role};`);
    const rerun = await rollback(r, {}, { runId: `44${n}`, attempt: 2 });
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(await tableExists(r.name, 'consents')).toBe(false);
    expect(rerun.outputs['safety-backup-id']).toBe(firstSafety);
    const incident = github.issues(RUN_DEFAULTS.repository).find((i) => i.body.includes(`run-id=44${n} `));
    expect(incident?.body).toContain(firstSafety);
    expect(incident?.body).not.toContain(`-safety-44${n}-2`);
  });

  it(
    'rows written between a failed restore and its re-run: refused without allow-data-loss, naming the safety backup that holds them; with it, restored, every report naming both',
    async () => {
      const role = `auditor_${n + 1}`;
      const r = await failedRelease(` CREATE ROLE ${role}; GRANT SELECT ON patients TO ${role};`);
      await pgc.psql(`DROP OWNED BY ${role}; DROP ROLE ${role};`, r.name);
      const runId = `66${n}`;
      const failed = await rollback(r, {}, { runId });
      expect(failed.exitCode).toBe(1);
      const firstSafety = safetyBackupId(r.name, runId, 1);
      expect(failed.outputs['safety-backup-id']).toBe(firstSafety);

      // The release still live writes on while on-call fixes the cause: rows in no safety backup yet.
      await pgc.psql(
        "INSERT INTO patients (name) SELECT 'meanwhile'||g FROM generate_series(1,4) g;",
        r.name,
      );
      await pgc.psql(`CREATE ROLE ${role};`);
      const refused = await rollback(r, {}, { runId, attempt: 2 });
      expect(refused.exitCode).toBe(1);
      expect(refused.stdout).toMatch(
        new RegExp(
          `At least 4 rows were written after safety backup ${firstSafety}, .*public\\.patients: 4 rows inserted or updated.*\\(50 → 54\\)\\. Nothing was restored\\. Those rows are in safety backup ${safetyBackupId(r.name, runId, 2)}`,
        ),
      );
      expect(refused.outputs['safety-backup-id']).toBe(firstSafety);
      expect(await tableExists(r.name, 'consents')).toBe(true);
      expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('54');

      const allowed = await rollback(r, { 'allow-data-loss': 'true' }, { runId, attempt: 3 });
      expect(allowed.exitCode, allowed.stdout).toBe(0);
      expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('50');
      const laterSafety = safetyBackupId(r.name, runId, 3);
      expect(allowed.outputs['safety-backup-id']).toBe(firstSafety);
      expect(allowed.outputs['later-safety-backup-id']).toBe(laterSafety);
      expect(allowed.outputs['rows-written-since-first-attempt']).toBe('4');
      expect(allowed.summary).toContain(`| Safety backup (database before the restore) | ${firstSafety} |`);
      expect(allowed.summary).toContain(
        `| Safety backup of the rows written after the first attempt | ${laterSafety} (at least 4 rows) |`,
      );
      const incident = github
        .issues(RUN_DEFAULTS.repository)
        .find((i) => i.body.includes(`run-id=${runId} `));
      expect(incident?.body).toContain(firstSafety);
      expect(incident?.body).toContain(laterSafety);
      // The one named holds the 4 rows.
      const root = dirname(r.backup.location.slice('path:'.length));
      const fetched = await fetchBackup(
        new PathStore('/'),
        `path:${root}/${laterSafety}`,
        mkdtempSync(join(tmpdir(), 'dg-rb-f-')),
        { kind: 'passphrase', passphrase: KEY },
      );
      await fetched.cleanup();
      expect(fetched.manifest.rowCounts).toMatchObject({ 'public.patients': 54 });
    },
    THREE_RUNS_MS,
  );

  it(
    'PostgreSQL killed during the restore, then the runner killed during the next: the database stays as it was; the third attempt restores and names the safety backup from before the first, with the rows written since the backup',
    async () => {
      // A table large enough that its COPY is still running when the test sees it.
      const r = await failedRelease(
        " CREATE TABLE visits (id serial PRIMARY KEY, note text); INSERT INTO visits (note) SELECT md5(g::text) || repeat('v', 150) FROM generate_series(1, 150000) g;",
      );
      await pgc.psql("INSERT INTO patients (name) SELECT 'after'||g FROM generate_series(1,30) g;", r.name);
      const runId = `55${n}`;
      const firstSafety = safetyBackupId(r.name, runId, 1);
      // pg_restore's script is in psql's transaction, copying the big table.
      const copying = (run: Promise<ActionRun>) =>
        untilRow(
          pgc.url(r.name),
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'psql' AND query LIKE 'COPY public.visits %'`,
          run,
        );
      const asItWas = async () => {
        expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('80');
        expect(await pgc.psql('SELECT count(*) FROM visits', r.name)).toBe('150000');
        expect(await tableExists(r.name, 'consents')).toBe(true);
      };

      // 1. The server crashes mid-restore: the step fails, saying so and naming the safety backup.
      const first = rollback(r, { 'allow-data-loss': 'true' }, { runId });
      await copying(first);
      await pgc.kill();
      const crashed = await first;
      await pgc.restart();
      expect(crashed.exitCode).toBe(1);
      expect(crashed.outputs['safety-backup-id']).toBe(firstSafety);
      expect(crashed.stdout).toMatch(
        new RegExp(
          `Restoring backup ${r.backup.manifest.id} failed: .*as it was before it.*safety backup ${firstSafety}`,
        ),
      );
      await asItWas();

      // 2. The runner is lost mid-restore (SIGKILL of the whole process tree): no COMMIT was sent.
      const kill = new AbortController();
      const second = rollback(r, {}, { runId, attempt: 2, kill: kill.signal });
      await copying(second);
      kill.abort();
      expect((await second).signal).toBe('SIGKILL');
      // Once the server has seen the session go, everything the attempt did is rolled back.
      await expect
        .poll(() =>
          pgc.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'psql' AND pid <> pg_backend_pid()",
            r.name,
          ),
        )
        .toBe('0');
      await asItWas();
      expect(
        await pgc.psql(
          "SELECT string_agg(state, ',' ORDER BY at) FROM deploy_gates.rollback_journal",
          r.name,
        ),
      ).toBe('restoring,restoring');

      // 3. The re-run finishes. Every report names the backup of the database before the first attempt.
      const rerun = await rollback(r, {}, { runId, attempt: 3 });
      expect(rerun.exitCode, rerun.stdout).toBe(0);
      expect(rerun.outputs).toMatchObject({
        'rolled-back': 'true',
        'database-restored-from': r.backup.manifest.id,
        'safety-backup-id': firstSafety,
        'rows-written-since-backup': '30',
        'later-safety-backup-id': '',
        'rows-written-since-first-attempt': '0',
      });
      expect(JSON.parse(rerun.outputs['writes-since-backup'] ?? '[]')).toEqual([
        expect.objectContaining({ table: 'public.patients', rowsInBackup: 50, rowsNow: 80, written: 30 }),
      ]);
      expect(rerun.summary).toContain(`| Safety backup (database before the restore) | ${firstSafety} |`);
      expect(rerun.summary).toContain('| Rows written since the pre-deploy backup | 30 |');
      const incident = github
        .issues(RUN_DEFAULTS.repository)
        .find((i) => i.body.includes(`run-id=${runId} `));
      expect(incident?.body).toContain(firstSafety);
      expect(incident?.body).not.toMatch(new RegExp(`-safety-${runId}-[23]`));
      expect(await pgc.psql('SELECT count(*) FROM patients', r.name)).toBe('50');
      expect(await pgc.psql('SELECT count(*) FROM visits', r.name)).toBe('150000');
      expect(await tableExists(r.name, 'consents')).toBe(false);

      // The safety backup named holds the 30 rows written after the pre-deploy backup.
      const root = dirname(r.backup.location.slice('path:'.length));
      const fetched = await fetchBackup(
        new PathStore('/'),
        `path:${root}/${firstSafety}`,
        mkdtempSync(join(tmpdir(), 'dg-rb-f-')),
        { kind: 'passphrase', passphrase: KEY },
      );
      await fetched.cleanup();
      expect(fetched.manifest.rowCounts).toMatchObject({ 'public.patients': 80, 'public.visits': 150000 });
    },
    THREE_RUNS_MS,
  );

  it('verifies the API host users reach, by its body: a 200 saying unhealthy fails the verify step; healthy again, a re-run passes', async () => {
    const r = await failedRelease();
    let apiBody = { status: 'unhealthy' };
    const api = await scriptedServer({ '/health': () => ({ json: apiBody }) });
    try {
      const inputs = { 'restore-database': 'never', 'verify-api-url': api.url };
      const run = await rollback(r, inputs);
      expect(run.exitCode).toBe(1);
      expect(vercel.productionDeploymentId(r.name)).toBe(r.v1.id);
      const steps = JSON.parse(run.outputs.steps ?? '{}');
      expect(steps.verify).toMatchObject({ status: 'failed' });
      const said = [run.stdout, ...run.annotations.map((a) => a.message)].join('\n');
      expect(said).toContain('API host health: fail (the JSON value at /status is "unhealthy"');
      expect(api.hits('/health')).toBe(3);

      apiBody = { status: 'ok' };
      const again = await rollback(r, inputs, { runId: `77${n}`, attempt: 2 });
      expect(again.exitCode, again.stdout).toBe(0);
      expect(JSON.parse(again.outputs.steps ?? '{}').verify).toMatchObject({ status: 'done' });
      expect(api.hits('/health')).toBe(6);
    } finally {
      await api.close();
    }
  });

  it('with no deployment before the failed one, says there is nothing to roll back to and changes nothing', async () => {
    const name = `lonely${++n}`;
    const only = await vercel.seedDeployment({
      project: name,
      target: 'production',
      files: { health: 'ok' },
    });
    const run = await runBundle({
      action: ACTION,
      inputs: {
        'vercel-token': vercel.token,
        'vercel-project': name,
        'vercel-team': vercel.teamId,
        'api-url': vercel.apiUrl,
        'github-token': github.token,
        reason: 'validate failed',
      },
      env: { NODE_EXTRA_CA_CERTS: vercel.caFile, GITHUB_API_URL: github.apiUrl },
      runId: `99${n}`,
      stepId: 'rollback',
    });
    runs.push(run);
    expect(run.exitCode).toBe(1);
    expect(
      run.annotations
        .filter((a) => a.level === 'error')
        .map((a) => a.message)
        .join('\n'),
    ).toMatch(new RegExp(`No READY production deployment was created before ${only.id}`));
    expect(vercel.productionDeploymentId(name)).toBe(only.id);
  });

  it.each([
    ['vercel-token', { 'vercel-token': '' }, /^Input "vercel-token": /],
    [
      'github-deployment-id',
      { 'github-deployment-id': 'dpl_abc' },
      /^Input "github-deployment-id": "dpl_abc" is not a whole number/,
    ],
    [
      'verify-api-url',
      { 'verify-api-url': 'api.neonpro.healthcare' },
      /^Input "verify-api-url": "api\.neonpro\.healthcare" is not a URL/,
    ],
    [
      'verify-api-url',
      { 'verify-url': '', 'verify-api-url': 'https://api.neonpro.healthcare' },
      /^Input "verify-api-url": is set but verify-url is empty/,
    ],
    ['checks', { checks: 'missing.json' }, /^Input "checks": missing\.json does not exist/],
  ])('bad input %s: one clear error and nothing changed', async (_input, values, message) => {
    const r = await failedRelease();
    const run = await rollback(r, values);
    expect(run.exitCode).toBe(1);
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(message),
    ]);
    expect(vercel.productionDeploymentId(r.name)).toBe(r.v2.id);
    expect(await tableExists(r.name, 'consents')).toBe(true);
  });
});
