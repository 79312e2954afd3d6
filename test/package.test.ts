import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAM_MIGRATION, writeTeamRepo } from './support/team-repo.js';

// The package as a user gets it: packed, installed into an empty folder outside the clone, and started
// through npx, with nothing of this repository on hand but the tarball.
const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
// npm and npx start `node` from PATH: the Node 24 running the tests comes first, as setup-node puts it.
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  npm_config_update_notifier: 'false',
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
async function sh(file: string, args: string[], cwd: string, timeout = 120_000): Promise<Result> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env, timeout });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let work: string;
let user: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dg-pack-'));
  const packed = await sh('npm', ['pack', '--json', '--pack-destination', work], root);
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  user = join(work, 'project');
  await sh('mkdir', ['-p', user], work);
  writeFileSync(join(user, 'package.json'), '{ "name": "a-team", "private": true }\n');
  // --offline: everything the CLI runs is in the tarball's bundle, so nothing else is fetched.
  const installed = await sh(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', join(work, info.filename)],
    user,
  );
  expect(installed.code, installed.stderr).toBe(0);
  for (const f of ['release-readiness.json', 'release-readiness.test.json', 'facts-ready.json'])
    copyFileSync(join(root, 'examples', 'policy-gate', f), join(user, f));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the CLI, its bundle and the builtin policies, and none of the sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/deploy-gates.js',
        'dist/cli/index.js',
        'policies/policy.schema.json',
        'policies/preflight.json',
        'CHANGELOG.md',
        // What `deploy-gates rehearse` runs: the workflows, the actions' metadata and their bundles.
        'dist/cli/rehearse.js',
        'dist/sandbox-bin/gh',
        '.github/workflows/playbook.yml',
        '.github/workflows/rollback.yml',
        'actions/db-migrate-backup/action.yml',
        'actions/db-migrate-backup/dist/index.js',
        'examples/compliance/compliance.json',
      ]),
    );
    expect(files.filter((f) => /^(src|test|sandbox|scripts|bench|node_modules)\//.test(f))).toEqual([]);
  });

  it('installs no dependencies: the bundle carries them', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('runs `npx deploy-gates policy test` outside the clone', async () => {
    const r = await sh('npx', ['--no-install', 'deploy-gates', 'policy', 'test'], user);
    expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/release-readiness\.test\.json/);
  });

  it('fails a policy test that does not hold, with exit code 1', async () => {
    const failing = join(user, 'failing');
    await sh('mkdir', ['-p', failing], user);
    copyFileSync(join(user, 'release-readiness.json'), join(failing, 'release-readiness.json'));
    const tests = JSON.parse(readFileSync(join(user, 'release-readiness.test.json'), 'utf8'));
    tests.cases[0].expect['example.coverage-lines'] = 'fail';
    writeFileSync(join(failing, 'release-readiness.test.json'), JSON.stringify(tests));
    const r = await sh('npx', ['--no-install', 'deploy-gates', 'policy', 'test', 'failing'], user);
    expect(r.code).toBe(1);
  });

  it('evaluates facts against a policy, and lists the builtin policies shipped in the package', async () => {
    const r = await sh(
      'npx',
      [
        '--no-install',
        'deploy-gates',
        'policy',
        'eval',
        '--policies',
        'release-readiness.json',
        '--facts',
        'facts-ready.json',
        '--format',
        'json',
      ],
      user,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).decision).toBe('pass');
    const list = await sh('npx', ['--no-install', 'deploy-gates', 'policy', 'list'], user);
    expect(list.stdout.split('\n')).toContain('builtin:preflight');
  });

  it('says which Node it needs instead of crashing on an older one', async () => {
    const bin = join(user, 'node_modules', 'deploy-gates', 'bin', 'deploy-gates.js');
    const older = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})';
    const r = await sh(process.execPath, ['--import', older, bin, 'policy', 'list'], user);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^error: deploy-gates needs Node\.js 24 or later, and this is Node\.js 20\.19\.0\./,
    );
    expect(r.stdout).toBe('');
  });

  // The one full rehearsal from the package (a minute or more): a team's caller in a git repository of
  // its own, its migration and compliance manifest, run from the installed package alone. dbmate: the
  // playbook installs it unless it is on PATH, as the clone's node_modules/.bin is here (npx vitest).
  it("rehearses a team's caller with the team's checkout, outside the clone", async () => {
    const team = writeTeamRepo();
    const report = join(work, 'rehearsal.md');
    const r = await sh(
      'npx',
      ['--no-install', 'deploy-gates', 'rehearse', team.caller, '--approve', '--report', report],
      user,
      300_000,
    );
    expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`The checkout: a copy of ${team.repo}`);
    expect(r.stdout).toMatch(/✔ playbook \/ db +success/);
    expect(r.stdout).toContain('(the new release)');
    const text = readFileSync(report, 'utf8');
    // The team's migration was applied (its version), not the sample's (20260301000000).
    expect(text).toContain(`- ${TEAM_MIGRATION.split('_')[0]} (`);
    expect(text).not.toContain('20260301000000');
  }, 360_000);
});
