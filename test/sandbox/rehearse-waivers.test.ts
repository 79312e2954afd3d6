import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOCK_WAIVER, SANDBOX_WAIVERS } from '../../sandbox/playbook.js';
import { REHEARSAL_WAIVERS, rehearsalWaivers } from '../../sandbox/rehearse.js';

const own = {
  rule: 'preflight.coverage',
  reason: 'Coverage job moves to the new CI next sprint',
  approver: '@cto',
  ticket: 'OPS-12',
  expiresAt: '2026-04-01T00:00:00Z',
};

/** A team's repository with its caller workflow; the rehearsal's workspace apart from it. */
function world() {
  const repo = mkdtempSync(join(tmpdir(), 'dg-team-'));
  mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
  const caller = join(repo, '.github', 'workflows', 'deploy.yml');
  writeFileSync(caller, 'on: push\n');
  return { repo, caller, workspace: mkdtempSync(join(tmpdir(), 'dg-rehearsal-')) };
}

describe("a rehearsal carries the caller's own waivers", () => {
  it("reads the caller's waivers file from its repository and adds the sandbox's clock waiver", () => {
    const w = world();
    writeFileSync(join(w.repo, '.github', 'waivers.yml'), `waivers:\n  - ${JSON.stringify(own)}\n`);
    const file = rehearsalWaivers(w.caller, '.github/waivers.yml', w.workspace);
    expect(file).toBe(REHEARSAL_WAIVERS);
    expect(JSON.parse(readFileSync(join(w.workspace, file), 'utf8'))).toEqual({
      waivers: [own, CLOCK_WAIVER],
    });
  });

  it("uses the sandbox's waivers alone when the caller gives none", () => {
    const w = world();
    expect(rehearsalWaivers(w.caller, '', w.workspace)).toBe(SANDBOX_WAIVERS);
  });

  it('stops when the caller names a waivers file its repository lacks', () => {
    const w = world();
    expect(() => rehearsalWaivers(w.caller, '.github/missing.json', w.workspace)).toThrow(
      /waivers: \.github\/missing\.json is not in the caller's repository/,
    );
  });
});
