import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { type ActionRun, leakedSecrets, runBundle } from '../../sandbox/runner/run-bundle.js';
import { standInBackupHistory } from '../../sandbox/sample-app.js';
import { workspace } from '../policy/helpers.js';
import { COBERTURA, factsSchemaErrors, ISTANBUL, LCOV, sarif } from '../preflight/fixtures.js';
import { type ScriptedServer, scriptedServer } from '../support/scripted-server.js';

// preflight-check, run from its committed bundle as the runner runs it.
const ACTION = 'actions/preflight-check/dist/index.js';
const runs: ActionRun[] = [];
let staging: ScriptedServer;
let pgc: PgCluster;

beforeAll(async () => {
  staging = await scriptedServer({
    '/health': () => ({ json: { status: 'ok' } }),
    '/slow': () => ({ json: { status: 'healthy', uptime: 12 }, delayMs: 300 }),
    '/flaky': (n) => (n === 1 ? { status: 503, text: 'warming up' } : { json: { status: 'ok' } }),
    '/unhealthy': () => ({ json: { status: 'unhealthy', database: 'down' } }),
    '/plain': () => ({ text: 'OK' }),
    '/broken': () => ({ status: 500, text: 'boom' }),
    '/missing': () => ({ status: 404, text: 'no' }),
    '/loop': () => ({ status: 302, headers: { location: '/loop2' } }),
    '/loop2': () => ({ status: 302, headers: { location: '/loop' } }),
    '/manifest-hangs': () => 'hang',
    '/api/security/incidents/recent': () => ({ json: { incidents: [] } }),
  });
  pgc = await startPostgres();
  await pgc.createDatabase('app');
});
afterAll(async () => {
  await staging?.close();
  await pgc?.stop();
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function preflight(
  inputs: Record<string, string>,
  files: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(files),
    inputs: { retries: '1', timeout: '2s', ...inputs },
    env,
    stepId: 'preflight',
  });
  runs.push(run);
  return run;
}

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');
const report = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8'));
/**
 * Waivers (in force) for rules whose facts a test does not collect, each scoped to its fact; some of
 * those rules are critical, so the approver is listed in the repository's approvers file.
 */
const waive = (...rules: [string, string][]) => ({
  'waivers.json': {
    waivers: rules.map(([rule, scope]) => ({
      rule,
      scope,
      reason: 'not collected in this test',
      approver: 'cto@neonpro.healthcare',
      ticket: 'TEST-1',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    })),
  },
  '.github/deploy-gates/approvers': 'cto@neonpro.healthcare\n',
});
const REQUIRED = [
  ['preflight.staging-health', '/endpoints', 'endpoints'],
  ['preflight.monitoring-up', '/monitoring', 'monitoring-endpoints'],
  ['preflight.tls-valid', '/tls', 'tls-hosts'],
  ['preflight.database-reachable', '/database', 'database-url'],
  ['preflight.no-failed-migrations', '/database', 'database-url'],
  ['preflight.coverage', '/coverage', 'coverage-file'],
  ['preflight.security-findings', '/security', 'sarif-files'],
  ['preflight.code-review', '/review', 'github-token'],
  ['preflight.required-checks', '/review', 'github-token'],
  ['preflight.environment-protected', '/environment', 'github-token'],
  ['preflight.backup-fresh', '/backups', 'backup-manifest'],
  ['preflight.restore-tested', '/backups', 'backup-manifest'],
  ['preflight.no-open-security-incident', '/incidents', 'security-incidents-url'],
] as const;
const facts = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.facts ?? '', 'utf8'));
const status = (run: ActionRun, rule: string) =>
  JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8')).results.find(
    (r: { ruleId: string }) => r.ruleId === rule,
  )?.status;

describe('preflight-check action', () => {
  it('collects every local fact, writes one facts document matching the schema, and passes a ready release (TLS and review waived)', async () => {
    const run = await preflight(
      {
        endpoints: `web=${staging.url}/health\napi=${staging.url}/flaky\nslow=${staging.url}/slow`,
        'monitoring-endpoints': `grafana=${staging.url}/health`,
        'database-url': pgc.url('app'),
        'coverage-file': 'coverage/coverage-summary.json',
        'sarif-files': 'scans/*.sarif',
        'backup-manifest': 'backups/manifest.json',
        'security-incidents-url': `${staging.url}/api/security/incidents/recent`,
        waivers: 'waivers.json',
      },
      {
        'coverage/coverage-summary.json': ISTANBUL,
        'scans/codeql.sarif': sarif('CodeQL', [{ ruleId: 'x', level: 'note' }]),
        'backups/manifest.json': standInBackupHistory(),
        ...waive(
          ['preflight.tls-valid', '/tls'],
          ['preflight.code-review', '/review'],
          ['preflight.required-checks', '/review'],
          ['preflight.environment-protected', '/environment'],
        ),
      },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      decision: 'pass',
      passed: '10',
      failed: '0',
      waived: '4',
      'not-checked': '1', // the optional Vercel check
    });
    expect(status(run, 'preflight.vercel-env')).toBe('not-checked');
    const doc = facts(run);
    expect(factsSchemaErrors(doc)).toEqual([]);
    expect(doc.endpoints.api).toMatchObject({ ok: true, status: 200, attempts: 2, retries: 1 });
    expect(doc.endpoints.slow.latencyMs).toBeGreaterThanOrEqual(290);
    expect(doc.database).toMatchObject({ reachable: true, migrations: [] });
    expect(doc.coverage).toMatchObject({ format: 'istanbul', lines: 96 });
    expect(doc.change).toMatchObject({ sha: expect.any(String), runId: expect.any(String) });
    expect(run.summary).toContain('#### Staging health');
    expect(run.summary).toContain('#### Database');
    expect(leakedSecrets(run, [pgc.password])).toEqual([]);
  });

  it('fails on what the playbook forbids: a 500, a refused port, a redirect loop, low coverage, a critical finding', async () => {
    const run = await preflight(
      {
        endpoints: `broken=${staging.url}/broken\ndown=http://127.0.0.1:${await closedPort()}/health\nloop=${staging.url}/loop\nmissing=${staging.url}/missing`,
        'coverage-file': 'lcov.info',
        'sarif-files': 'a.sarif',
      },
      { 'lcov.info': LCOV, 'a.sarif': sarif('Trivy', [{ ruleId: 'cve', securitySeverity: '9.1' }]) },
    );
    expect(run.exitCode).toBe(1);
    const doc = facts(run);
    expect(doc.endpoints.broken).toMatchObject({ ok: false, status: 500, errorClass: 'http', retries: 1 });
    expect(doc.endpoints.down).toMatchObject({ ok: false, status: null, errorClass: 'refused' });
    expect(doc.endpoints.loop).toMatchObject({ ok: false, errorClass: 'redirect-loop' });
    // A 404 is an answer that retrying will not change.
    expect(doc.endpoints.missing).toMatchObject({ ok: false, status: 404, retries: 0 });
    expect(
      ['preflight.staging-health', 'preflight.coverage', 'preflight.security-findings'].map((r) =>
        status(run, r),
      ),
    ).toEqual(['fail', 'fail', 'fail']);
    expect(status(run, 'preflight.database-reachable')).toBe('not-checked'); // not enabled: not judged
    expect(errors(run).at(-1)?.message).toMatch(/^Preflight failed: /);
  });

  it('judges a health endpoint by its body: a 200 saying unhealthy (or not JSON) fails; expect-json {} judges the status only', async () => {
    const endpoints = `web=${staging.url}/health\nsick=${staging.url}/unhealthy\nplain=${staging.url}/plain`;
    const before = staging.hits('/unhealthy');
    const run = await preflight({ endpoints, 'monitoring-endpoints': `grafana=${staging.url}/plain` });
    expect(run.exitCode).toBe(1);
    const doc = facts(run);
    expect(factsSchemaErrors(doc)).toEqual([]);
    expect(doc.endpoints.web).toMatchObject({ ok: true, errorClass: null });
    expect(doc.endpoints.sick).toMatchObject({
      ok: false,
      status: 200,
      errorClass: 'body',
      error:
        'status 200, but the JSON value at /status is "unhealthy", expected one of "ok", "OK", "healthy", "pass", "up", "UP"',
    });
    expect(staging.hits('/unhealthy') - before).toBe(1); // an answer that retrying will not change
    expect(doc.endpoints.plain).toMatchObject({
      ok: false,
      errorClass: 'body',
      error: 'status 200, but the body is not JSON',
    });
    expect(doc.monitoring.grafana).toMatchObject({ ok: true }); // dashboards are judged by status
    expect(status(run, 'preflight.staging-health')).toBe('fail');
    expect(run.summary).toContain('the JSON value at /status is "unhealthy"');

    const statusOnly = await preflight({ endpoints, 'expect-json': '{}' });
    expect(status(statusOnly, 'preflight.staging-health'), statusOnly.stdout).toBe('pass');
    expect(facts(statusOnly).endpoints.sick).toMatchObject({ ok: true });

    const own = await preflight({
      endpoints: `sick=${staging.url}/unhealthy`,
      'expect-json': '{"/database": {"equals": "up"}}',
    });
    expect(facts(own).endpoints.sick).toMatchObject({
      ok: false,
      error: 'status 200, but the JSON value at /database is "down", expected "up"',
    });
  });

  it('a failed Prisma migration in the database blocks the release', async () => {
    await pgc.createDatabase('failed');
    await pgc.psql(
      `CREATE TABLE _prisma_migrations (id text PRIMARY KEY, checksum text NOT NULL, finished_at timestamptz, migration_name text NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
       INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES ('1','c',NULL,'20260201_consent');`,
      'failed',
    );
    const run = await preflight(
      { 'database-url': pgc.url('failed'), 'coverage-file': 'cobertura.xml' },
      { 'cobertura.xml': COBERTURA },
    );
    expect(run.exitCode).toBe(1);
    expect(status(run, 'preflight.no-failed-migrations')).toBe('fail');
    expect(facts(run).database.migrations[0].failed).toEqual(['20260201_consent']);
    expect(leakedSecrets(run, [pgc.password])).toEqual([]);
  });

  it("reads the change's review record from GitHub: approved passes, a request for changes or a red required check blocks", async () => {
    const github = await startGitHubEmulator();
    try {
      const repo = 'neonpro/healthcare-platform';
      const [approved, disputed] = ['1'.repeat(40), '2'.repeat(40)];
      github.protectBranch(repo, 'main', ['test']);
      github.addPullRequest(
        repo,
        { number: 1, title: 'ok', shas: [approved], baseRef: 'main', merged: true },
        [{ user: 'senior-dev', state: 'APPROVED' }],
      );
      github.addCheckRun(repo, approved, { name: 'test', status: 'completed', conclusion: 'success' });
      github.addPullRequest(
        repo,
        { number: 2, title: 'no', shas: [disputed], baseRef: 'main', merged: true },
        [
          { user: 'senior-dev', state: 'APPROVED' },
          { user: 'dpo', state: 'CHANGES_REQUESTED' },
        ],
      );
      github.addCheckRun(repo, disputed, { name: 'test', status: 'completed', conclusion: 'failure' });
      // Every other required fact waived: this test is about the review alone.
      const others = REQUIRED.filter(([, fact]) => fact !== '/review').map(
        ([rule, fact]) => [rule, fact] as [string, string],
      );
      const review = (sha: string) =>
        preflight({ 'github-token': github.token, waivers: 'waivers.json' }, waive(...others), {
          GITHUB_API_URL: github.apiUrl,
          GITHUB_SHA: sha,
        });

      const pass = await review(approved);
      expect(pass.exitCode, pass.stdout).toBe(0);
      expect(facts(pass).review).toMatchObject({ approvedBy: ['senior-dev'], requiredChecksPassed: true });
      expect(status(pass, 'preflight.code-review')).toBe('pass');
      expect(status(pass, 'preflight.required-checks')).toBe('pass');
      expect(pass.summary).toContain('senior-dev');

      const blocked = await review(disputed);
      expect(blocked.exitCode).toBe(1);
      expect(status(blocked, 'preflight.code-review')).toBe('fail');
      expect(status(blocked, 'preflight.required-checks')).toBe('fail');
      expect(leakedSecrets(blocked, [github.token])).toEqual([]);
    } finally {
      await github.close();
    }
  });

  it('reads how the production environment is protected: an approval anyone can skip fails the gate', async () => {
    const github = await startGitHubEmulator();
    try {
      const repo = 'neonpro/healthcare-platform';
      const others = REQUIRED.filter(([, fact]) => fact !== '/environment').map(
        ([rule, fact]) => [rule, fact] as [string, string],
      );
      const check = (inputs: Record<string, string> = {}) =>
        preflight({ 'github-token': github.token, waivers: 'waivers.json', ...inputs }, waive(...others), {
          GITHUB_API_URL: github.apiUrl,
        });
      const environmentRule = (run: ActionRun) =>
        report(run).results.find((r: { ruleId: string }) => r.ruleId === 'preflight.environment-protected');

      // Never set up: GitHub would create it, unprotected, when the first job names it.
      const missing = await check();
      expect(missing.exitCode).toBe(1);
      expect(facts(missing).environment).toMatchObject({ name: 'production', exists: false });
      expect(environmentRule(missing).status).toBe('fail');
      expect(report(missing).blocking).toContain('preflight.environment-protected');

      github.setEnvironment(repo, 'production');
      const bare = await check();
      expect(bare.exitCode).toBe(1);
      expect(facts(bare).environment).toMatchObject({
        exists: true,
        requiredReviewers: 0,
        branchPolicy: 'all',
      });
      expect(environmentRule(bare).message).toMatch(/requiredReviewers/);

      github.setEnvironment(repo, 'production', {
        reviewers: [
          { type: 'User', name: 'medical-director' },
          { type: 'Team', name: 'compliance' },
        ],
        preventSelfReview: false,
        branchPolicy: { protected_branches: true, custom_branch_policies: false },
      });
      const selfReview = await check();
      expect(selfReview.exitCode).toBe(1);
      expect(environmentRule(selfReview).message).toMatch(/preventSelfReview/);

      github.setEnvironment(repo, 'production', {
        reviewers: [{ type: 'User', name: 'medical-director' }],
        preventSelfReview: true,
        branchPolicy: { protected_branches: true, custom_branch_policies: false },
      });
      const protectedEnv = await check();
      expect(protectedEnv.exitCode, protectedEnv.stdout).toBe(0);
      expect(facts(protectedEnv).environment).toEqual({
        name: 'production',
        exists: true,
        reviewers: ['medical-director'],
        requiredReviewers: 1,
        preventSelfReview: true,
        waitTimerMinutes: 0,
        branchPolicy: 'protected-branches',
        canAdminsBypass: true,
      });
      expect(environmentRule(protectedEnv).status).toBe('pass');

      // Another environment name is read when the workflow uses one.
      const staging = await check({ 'protected-environment': 'production-eu' });
      expect(facts(staging).environment).toMatchObject({ name: 'production-eu', exists: false });
      expect(staging.exitCode).toBe(1);
    } finally {
      await github.close();
    }
  });
});

describe('preflight-check fails closed: what was not collected is not checked, never passed', () => {
  it('a backup manifest URL that hangs or answers 500 fails the backup rule within the timeout, naming what happened', async () => {
    const started = Date.now();
    const hung = await preflight({ 'backup-manifest': `${staging.url}/manifest-hangs`, timeout: '1s' });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(hung.exitCode).toBe(1);
    expect(facts(hung).collectorErrors).toEqual([
      { collector: 'backups', message: `${staging.url}/manifest-hangs did not answer within 1000 ms` },
    ]);
    expect(status(hung, 'preflight.backup-fresh')).toBe('not-checked');
    expect(report(hung).blocking).toContain('preflight.backup-fresh');

    const broken = await preflight({ 'backup-manifest': `${staging.url}/broken` });
    expect(broken.exitCode).toBe(1);
    expect(facts(broken).collectorErrors).toEqual([
      { collector: 'backups', message: `${staging.url}/broken answered HTTP 500` },
    ]);
  });

  it('no inputs: the gate fails, each required rule shown as not checked naming the input to give', async () => {
    const run = await preflight({ 'sarif-file': 'out/preflight.sarif', 'junit-file': 'out/preflight.xml' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      decision: 'fail',
      passed: '1', // preflight.collectors: no collector ran, none failed
      failed: '0',
      waived: '0',
      'not-checked': '14',
    });
    const json = report(run);
    expect(json.counts).toMatchObject({ notChecked: 14, notCheckedRequired: 13, total: 15 });
    for (const [rule, fact, input] of REQUIRED) {
      const result = json.results.find((r: { ruleId: string }) => r.ruleId === rule);
      expect(result.status, rule).toBe('not-checked');
      expect(result.message, rule).toContain(`${fact} was not collected (collected by the ${input}`);
      expect(json.blocking, rule).toContain(rule);
    }
    expect(status(run, 'preflight.vercel-env')).toBe('not-checked');
    expect(json.blocking).not.toContain('preflight.vercel-env');

    expect(run.summary).toContain('**14** not checked (13 required)');
    const notChecked = run.summary.slice(run.summary.indexOf('### Not checked'));
    for (const [rule, , input] of REQUIRED) {
      expect(notChecked).toMatch(
        new RegExp(`- \\*\\*${rule.replace('.', '\\.')}\\*\\* \\(required\\): .*the ${input} input`),
      );
    }
    expect(errors(run).at(-1)?.message).toMatch(
      /^Preflight failed: 13 rule\(s\) at or above high did not pass \(13 not checked: a required fact is missing\)/,
    );

    const sarifLog = JSON.parse(readFileSync(join(run.workspace, 'out/preflight.sarif'), 'utf8'));
    const tls = sarifLog.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'preflight.tls-valid');
    expect(tls).toMatchObject({
      kind: 'open',
      level: 'none',
      properties: { notChecked: true, blocking: true },
    });
    const junit = readFileSync(join(run.workspace, 'out/preflight.xml'), 'utf8');
    expect(junit).toContain('tests="15" failures="13" errors="0" skipped="1"');
    expect(junit).toMatch(
      /<failure message="Not checked, and the policy requires it: \/tls was not collected[^"]*" type="not-checked">/,
    );
    expect(junit).toContain('<skipped message="not checked: /vercel was not collected');
  });

  it('a required fact waived (scoped to it): that rule shows waived, the others still block', async () => {
    const run = await preflight({ waivers: 'waivers.json' }, waive(['preflight.tls-valid', '/tls']));
    expect(run.exitCode).toBe(1);
    expect(status(run, 'preflight.tls-valid')).toBe('waived');
    expect(run.outputs).toMatchObject({ waived: '1', 'not-checked': '13' });
    const json = report(run);
    expect(json.blocking).not.toContain('preflight.tls-valid');
    expect(json.waivers[0]).toMatchObject({ state: 'active', waiver: { rule: 'preflight.tls-valid' } });
  });

  it('every required fact waived: the gate passes, and says what was waived', async () => {
    const run = await preflight(
      { waivers: 'waivers.json' },
      waive(...REQUIRED.map(([rule, fact]) => [rule, fact] as [string, string])),
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'pass', waived: '13', 'not-checked': '1', passed: '1' });
  });
});

describe('preflight-check bad input: one clear error, nothing written, nothing probed', () => {
  const cases: [string, Record<string, string>, Record<string, unknown>, RegExp][] = [
    [
      'endpoints',
      { endpoints: 'web https://x' },
      {},
      /^Input "endpoints": the line "web https:\/\/x" is not name=url/,
    ],
    [
      'endpoints',
      { endpoints: 'web=ftp://x' },
      {},
      /^Input "endpoints": the line "web=ftp:\/\/x" is not name=url/,
    ],
    [
      'monitoring-endpoints',
      { 'monitoring-endpoints': 'a=https://x\na=https://y' },
      {},
      /the name "a" is used twice/,
    ],
    [
      'expect-status',
      { 'expect-status': 'ok' },
      {},
      /^Input "expect-status": "ok" is not a status or a class/,
    ],
    ['retries', { retries: '-1' }, {}, /^Input "retries": -1 is out of range/],
    [
      'tls-hosts',
      { 'tls-hosts': 'https://neonpro.healthcare' },
      {},
      /^Input "tls-hosts": "https:\/\/neonpro\.healthcare" is not a host/,
    ],
    [
      'sarif-files',
      { 'sarif-files': 'scans/*.sarif' },
      {},
      /^Input "sarif-files": "scans\/\*\.sarif" matches no file/,
    ],
    [
      'vercel-project',
      { 'vercel-token': 'tok-123456' },
      {},
      /^Input "vercel-project": is empty while vercel-token is set/,
    ],
    [
      'database-url',
      { 'database-url': 'db.internal:5432/app' },
      {},
      /^Input "database-url": has the scheme "db\.internal:"/,
    ],
    ['database-url', { 'database-url': 'not a url' }, {}, /^Input "database-url": is not a URL\./],
    [
      'coverage-file',
      { 'coverage-file': 'nope.xml' },
      {},
      /^Input "coverage-file": nope\.xml does not exist/,
    ],
    [
      'coverage-file',
      { 'coverage-file': 'c.txt' },
      { 'c.txt': 'plain text' },
      /^Input "coverage-file": c\.txt is not an lcov/,
    ],
    ['timeout', { timeout: 'forever' }, {}, /^Input "timeout": "forever" is not a duration/],
    ['expect-json', { 'expect-json': 'status=ok' }, {}, /^Input "expect-json": is not JSON\./],
    [
      'expect-json',
      { 'expect-json': '{"/status": "ok"}' },
      {},
      /^Input "expect-json": the condition at "\/status" is not as expected\./,
    ],
    [
      'expect-json',
      { 'expect-json': '{"/status": {"schema": {"type": "nonsense"}}}' },
      {},
      /^Input "expect-json": expect-json has an invalid JSON Schema at \["\/status"\]/,
    ],
  ];
  for (const [input, values, files, message] of cases) {
    it(`${input}: ${JSON.stringify(values)}`, async () => {
      const before = staging.hits('/health');
      const run = await preflight({ endpoints: `web=${staging.url}/health`, ...values }, files);
      expect(run.exitCode).toBe(1);
      expect(errors(run).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
      expect(run.outputs.facts).toBeUndefined();
      expect(run.stdout).not.toMatch(/ at .+\.js:\d+/);
      if (input !== 'coverage-file') expect(staging.hits('/health')).toBe(before);
    });
  }
});
