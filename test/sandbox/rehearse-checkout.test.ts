import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOCK_WAIVER,
  type PlaybookSandbox,
  SANDBOX_WAIVERS,
  startPlaybookSandbox,
} from '../../sandbox/playbook.js';
import { rehearse } from '../../sandbox/rehearse.js';
import { callerRepository, copyRepository, teamCheckout } from '../../sandbox/team-checkout.js';
import { DEFAULT_APPROVERS_FILE } from '../../src/gate/approvers.js';
import { results } from '../support/run-results.js';
import { TEAM_MIGRATION, writeTeamRepo } from '../support/team-repo.js';

describe("a rehearsal's checkout is the team's repository", () => {
  it('copies the tracked files of a git repository, and adds only the sandbox clock waiver and its approver', () => {
    const team = writeTeamRepo();
    const checkout = teamCheckout(team.caller);
    if (!checkout) throw new Error('no checkout for a caller in a repository');
    const ws = checkout.workspace;
    expect(checkout.repository).toBe(team.repo);
    expect(existsSync(join(ws, 'web/db/migrations', TEAM_MIGRATION))).toBe(true);
    expect(existsSync(join(ws, '.github/compliance.json'))).toBe(true);
    // Not committed, so not checked out; nothing of the sample app either.
    expect(existsSync(join(ws, 'web/untracked-notes.txt'))).toBe(false);
    expect(existsSync(join(ws, '.git'))).toBe(false);
    expect(existsSync(join(ws, 'app'))).toBe(false);
    expect(checkout.added.map((a) => a.file)).toEqual([SANDBOX_WAIVERS, DEFAULT_APPROVERS_FILE]);
    expect(readFileSync(join(ws, DEFAULT_APPROVERS_FILE), 'utf8')).toMatch(
      new RegExp(`^${CLOCK_WAIVER.approver} #`),
    );
  });

  it("appends the waiver's approver to the team's own approvers file", () => {
    const team = writeTeamRepo();
    mkdirSync(join(team.repo, '.github/deploy-gates'), { recursive: true });
    writeFileSync(join(team.repo, DEFAULT_APPROVERS_FILE), '@team-lead');
    const checkout = teamCheckout(team.caller);
    // Untracked, so not checked out: the file alone is written.
    expect(checkout?.added[1]?.what).toMatch(/written with/);
    const plain = mkdtempSync(join(tmpdir(), 'dg-plain-'));
    mkdirSync(join(plain, '.github/workflows'), { recursive: true });
    mkdirSync(join(plain, '.github/deploy-gates'), { recursive: true });
    mkdirSync(join(plain, 'node_modules/x'), { recursive: true });
    writeFileSync(join(plain, '.github/workflows/deploy.yml'), 'on: push\n');
    writeFileSync(join(plain, DEFAULT_APPROVERS_FILE), '@team-lead');
    const own = teamCheckout(join(plain, '.github/workflows/deploy.yml'));
    expect(own?.added[1]?.what).toMatch(/appended/);
    expect(readFileSync(join(own?.workspace ?? '', DEFAULT_APPROVERS_FILE), 'utf8').split('\n')[0]).toBe(
      '@team-lead',
    );
    // Not a git repository: the folder without node_modules.
    expect(existsSync(join(copyRepository(plain), 'node_modules'))).toBe(false);
  });

  it('keeps the sample checkout for a caller in no repository', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dg-caller-')), 'deploy.yml');
    expect(callerRepository(file)).toBeUndefined();
    expect(teamCheckout(file)).toBeUndefined();
  });
});

describe('a rehearsal of a caller naming a file its repository lacks', { timeout: 120_000 }, () => {
  let sandbox: PlaybookSandbox;
  beforeAll(async () => {
    sandbox = await startPlaybookSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('fails in plan, as the real run would, with the team checkout in the workspace', async () => {
    const team = writeTeamRepo({ with: { 'compliance-manifest': '.github/compliance-missing.json' } });
    const r = await rehearse(sandbox, { caller: team.caller, approve: async () => true });
    const called = r.run.jobs.playbook?.called;
    expect(results(called).plan).toBe('failure');
    expect(results(called).db).toBe('skipped');
    const errors = (called?.jobs.plan?.steps ?? []).flatMap((s) => s.errors).join('\n');
    expect(errors).toContain('.github/compliance-missing.json');
    // What the jobs read: the team's files, not the sample's.
    expect(existsSync(join(r.release.workspace, 'web/db/migrations', TEAM_MIGRATION))).toBe(true);
    expect(existsSync(join(r.release.workspace, 'db/migrations/20260301000000_consents.sql'))).toBe(false);
    expect(r.checkout?.repository).toBe(team.repo);
    expect(
      await sandbox.pg.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", r.release.name),
    ).toBe('0');
  });
});
