import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubEmulator } from '../../sandbox/github/emulator.js';
import { type PgCluster, startPostgres } from '../../sandbox/postgres/cluster.js';
import { startVercelEmulator } from '../../sandbox/vercel/emulator.js';
import { parseDatabaseUrl } from '../../src/db/connection.js';
import { collectCoverage } from '../../src/preflight/collectors/coverage.js';
import { collectDatabase } from '../../src/preflight/collectors/database.js';
import { collectReview } from '../../src/preflight/collectors/review.js';
import { collectSecurity, severityOf } from '../../src/preflight/collectors/security.js';
import { collectTls } from '../../src/preflight/collectors/tls.js';
import { collectVercelEnv } from '../../src/preflight/collectors/vercel-env.js';
import { workspace } from '../policy/helpers.js';
import { COBERTURA, ISTANBUL, LCOV, makeCa, sarif } from './fixtures.js';

describe('coverage collector', () => {
  it('reads lcov, istanbul json-summary and Cobertura into the same percentages', async () => {
    const ws = workspace({
      'lcov.info': LCOV,
      'coverage-summary.json': ISTANBUL,
      'cobertura.xml': COBERTURA,
    });
    expect(await collectCoverage(join(ws, 'lcov.info'), 'lcov.info')).toEqual({
      file: 'lcov.info',
      format: 'lcov',
      lines: 75,
      statements: 75,
      branches: 50,
      functions: 100,
    });
    expect(await collectCoverage(join(ws, 'coverage-summary.json'), 's')).toMatchObject({
      format: 'istanbul',
      lines: 96,
      statements: 95.24,
      branches: 90,
      functions: 97.5,
    });
    expect(await collectCoverage(join(ws, 'cobertura.xml'), 'c')).toMatchObject({
      format: 'cobertura',
      lines: 96.12,
      branches: 87.5,
      functions: null,
    });
  });

  it('names the input when the file is missing or in no known format', async () => {
    const ws = workspace({ 'notes.txt': 'hello' });
    await expect(collectCoverage(join(ws, 'nope.info'), 'nope.info')).rejects.toThrow(
      /^Input "coverage-file": nope\.info does not exist/,
    );
    await expect(collectCoverage(join(ws, 'notes.txt'), 'notes.txt')).rejects.toThrow(
      /is not an lcov, istanbul/,
    );
  });
});

describe('security collector', () => {
  it("counts findings per severity with GitHub's security-severity mapping, per tool", async () => {
    const ws = workspace({
      'codeql.sarif': sarif('CodeQL', [
        { ruleId: 'a', securitySeverity: '9.8' },
        { ruleId: 'b', securitySeverity: '7.5' },
        { ruleId: 'c', level: 'note' },
      ]),
      'trivy.sarif': sarif('Trivy', [{ ruleId: 'd', level: 'error' }, { ruleId: 'e' }]),
    });
    const facts = await collectSecurity([
      { path: join(ws, 'codeql.sarif'), display: 'codeql.sarif' },
      { path: join(ws, 'trivy.sarif'), display: 'trivy.sarif' },
    ]);
    expect(facts.bySeverity).toEqual({ critical: 1, high: 2, medium: 1, low: 1, note: 0 });
    expect(facts.byTool.CodeQL).toEqual({ critical: 1, high: 1, medium: 0, low: 1, note: 0 });
    expect(facts.total).toBe(5);
    expect([severityOf('error', '3.9'), severityOf(undefined, '4.0'), severityOf('none', undefined)]).toEqual(
      ['low', 'medium', 'note'],
    );
  });
});

describe('TLS collector against a real TLS server', () => {
  it('reports days left, validity for the host name, issuer and protocol; expired and wrong-host certificates as invalid', async () => {
    const ca = makeCa();
    const certs = {
      good: ca.issue('good', 'localhost', -1, 60),
      expiring: ca.issue('expiring', 'localhost', -1, 5),
      expired: ca.issue('expired', 'localhost', -30, -1),
      wronghost: ca.issue('wronghost', 'example.org', -1, 60),
    };
    const servers = await Promise.all(
      Object.entries(certs).map(async ([name, c]) => {
        const server = createServer({ key: readFileSync(c.key), cert: readFileSync(c.cert) }, (_q, r) =>
          r.end('ok'),
        );
        await new Promise<void>((r) => server.listen(0, r));
        return [name, server] as const;
      }),
    );
    try {
      const ports = Object.fromEntries(servers.map(([n, s]) => [n, (s.address() as AddressInfo).port]));
      // The test CA is trusted the way a runner would trust a private CA: NODE_EXTRA_CA_CERTS is read at
      // process start, so the check runs in a child with it.
      // Asynchronously: the servers answer from this process, so it must not block while the child runs.
      const execFileAsync = promisify(execFile);
      const script = `import { collectTls } from ${JSON.stringify(join(import.meta.dirname, '../../src/preflight/collectors/tls.ts'))};
        const hosts = ${JSON.stringify(Object.values(ports).map((p) => `localhost:${p}`))};
        console.log(JSON.stringify(await collectTls(hosts, 5000, new Date())));`;
      writeFileSync(join(ca.dir, 'probe.mts'), script);
      const { stdout: out } = await execFileAsync(
        process.execPath,
        [
          '--no-warnings',
          '--experimental-transform-types',
          '--import',
          join(import.meta.dirname, '../../scripts/ts-resolve.mjs'),
          join(ca.dir, 'probe.mts'),
        ],
        {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile },
        },
      );
      const facts = JSON.parse(out);
      const at = (name: string) => facts[`localhost:${ports[name]}`];
      expect(at('good')).toMatchObject({
        reachable: true,
        valid: true,
        subject: 'localhost',
        issuer: 'deploy-gates test CA',
        protocol: 'TLSv1.3',
        daysLeft: 59,
      });
      expect(at('expiring')).toMatchObject({ valid: true, daysLeft: 4 });
      expect(at('expired')).toMatchObject({ valid: false, authorizationError: 'CERT_HAS_EXPIRED' });
      expect(at('wronghost')).toMatchObject({
        valid: false,
        authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      // Without the CA, the chain is not trusted: a fact, not a crash.
      const untrusted = await collectTls([`localhost:${ports.good}`], 5000, new Date());
      expect(untrusted[`localhost:${ports.good}`]).toMatchObject({ reachable: true, valid: false });
      const closed = await collectTls(['localhost:1'], 1000, new Date());
      expect(closed['localhost:1']).toMatchObject({ reachable: false, valid: false });
    } finally {
      for (const [, s] of servers) s.close();
    }
  });
});

describe('database collector against real PostgreSQL', () => {
  let pgc: PgCluster;
  beforeAll(async () => {
    pgc = await startPostgres();
  });
  afterAll(async () => {
    await pgc?.stop();
  });

  it('reports version, latency and Prisma migrations: applied, failed (P3009) and pending in the repo', async () => {
    await pgc.createDatabase('app');
    await pgc.psql(
      `CREATE TABLE _prisma_migrations (id text PRIMARY KEY, checksum text NOT NULL, finished_at timestamptz, migration_name text NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
       INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES ('1','c',now(),'20260101_init');
       INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES ('2','c',NULL,'20260201_consent');
       INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at) VALUES ('3','c',NULL,'20260115_oops', now());`,
      'app',
    );
    const ws = workspace({
      'prisma/migrations/20260101_init/migration.sql': 'select 1;',
      'prisma/migrations/20260201_consent/migration.sql': 'select 1;',
      'prisma/migrations/20260301_audit/migration.sql': 'select 1;',
    });
    const facts = await collectDatabase(parseDatabaseUrl('database-url', pgc.url('app')), ws, 5000);
    expect(facts).toMatchObject({ reachable: true, serverVersion: expect.stringMatching(/^\d+/) });
    expect(facts.migrations).toEqual([
      {
        tool: 'prisma',
        table: '_prisma_migrations',
        applied: ['20260101_init'],
        failed: ['20260201_consent'],
        pending: ['20260115_oops', '20260301_audit'].filter((m) => m !== '20260115_oops'),
      },
    ]);
  });

  it('an unreachable server is a fact whose message holds no password', async () => {
    const url = pgc.url('app').replace(`:${pgc.port}/`, ':1/');
    const facts = await collectDatabase(parseDatabaseUrl('database-url', url), workspace({}), 2000);
    expect(facts.reachable).toBe(false);
    expect(facts.error).not.toContain(pgc.password);
  });
});

describe('Vercel env collector against the emulator', () => {
  it('lists which required names exist for production, never reading values', async () => {
    const vercel = await startVercelEmulator();
    try {
      await vercel.createProject({
        name: 'web',
        env: [
          { key: 'JWT_SECRET', value: 's3cret-value', target: ['production', 'preview'] },
          { key: 'LOG_LEVEL', value: 'info', target: ['preview'] },
        ],
      });
      const facts = await collectVercelEnv(
        { token: vercel.token, project: 'web', teamId: vercel.teamId, apiUrl: vercel.apiUrl },
        ['JWT_SECRET', 'LOG_LEVEL', 'SENTRY_DSN'],
      );
      expect(facts).toEqual({
        project: 'web',
        required: ['JWT_SECRET', 'LOG_LEVEL', 'SENTRY_DSN'],
        present: ['JWT_SECRET'],
        missing: ['LOG_LEVEL', 'SENTRY_DSN'],
      });
      expect(JSON.stringify(facts)).not.toContain('s3cret-value');
    } finally {
      await vercel.close();
    }
  });
});

describe('review collector against the GitHub emulator', () => {
  const REPO = 'neonpro/web';
  const MERGED = 'a'.repeat(40);
  const REJECTED = 'b'.repeat(40);
  const ORPHAN = 'c'.repeat(40);

  it("takes each reviewer's latest verdict, reads the base branch's required checks from check runs and statuses", async () => {
    const github = await startGitHubEmulator();
    try {
      github.addPullRequest(
        REPO,
        { number: 7, title: 'Consent banner', shas: ['d'.repeat(40), MERGED], baseRef: 'main', merged: true },
        [
          { user: 'ana', state: 'CHANGES_REQUESTED' },
          { user: 'ana', state: 'COMMENTED' },
          { user: 'ana', state: 'APPROVED' },
          { user: 'bruno', state: 'APPROVED' },
          { user: 'bruno', state: 'DISMISSED' },
          { user: 'carla', state: 'APPROVED' },
        ],
      );
      github.protectBranch(REPO, 'main', ['build', 'ci/lint']);
      github.addCheckRun(REPO, MERGED, { name: 'build', status: 'completed', conclusion: 'success' });
      github.addCommitStatus(REPO, MERGED, { context: 'ci/lint', state: 'success' });
      const facts = await collectReview(github.token, github.apiUrl, REPO, MERGED);
      expect(facts).toEqual({
        sha: MERGED,
        pullRequest: {
          number: 7,
          url: `https://github.com/${REPO}/pull/7`,
          title: 'Consent banner',
          baseRef: 'main',
        },
        approvedBy: ['ana', 'carla'],
        changesRequestedBy: [],
        requiredChecks: [
          { name: 'build', conclusion: 'success' },
          { name: 'ci/lint', conclusion: 'success' },
        ],
        requiredChecksPassed: true,
        branchProtected: true,
      });
    } finally {
      await github.close();
    }
  });

  it('reports changes requested, a failed or missing required check, and a commit with no pull request on an unprotected branch', async () => {
    const github = await startGitHubEmulator();
    try {
      github.addPullRequest(
        REPO,
        { number: 8, title: 'Drop audit table', shas: [REJECTED], baseRef: 'release', merged: false },
        [
          { user: 'ana', state: 'APPROVED' },
          { user: 'dora', state: 'CHANGES_REQUESTED' },
        ],
      );
      github.protectBranch(REPO, 'release', ['build', 'e2e']);
      github.addCheckRun(REPO, REJECTED, { name: 'build', status: 'completed', conclusion: 'failure' });
      const rejected = await collectReview(github.token, github.apiUrl, REPO, REJECTED);
      expect(rejected.approvedBy).toEqual(['ana']);
      expect(rejected.changesRequestedBy).toEqual(['dora']);
      expect(rejected.requiredChecks).toEqual([
        { name: 'build', conclusion: 'failure' },
        { name: 'e2e', conclusion: 'missing' },
      ]);
      expect(rejected.requiredChecksPassed).toBe(false);

      const orphan = await collectReview(github.token, github.apiUrl, REPO, ORPHAN);
      expect(orphan).toMatchObject({
        pullRequest: null,
        approvedBy: [],
        branchProtected: false,
        requiredChecks: [],
      });
      await expect(collectReview('ghs_wrong', github.apiUrl, REPO, ORPHAN)).rejects.toThrow(
        /Bad credentials/,
      );
    } finally {
      await github.close();
    }
  });
});
