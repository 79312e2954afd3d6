import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionRun, leakedSecrets, REPO_ROOT, runBundle } from '../../sandbox/runner/run-bundle.js';
import { startVercelEmulator } from '../../sandbox/vercel/emulator.js';
import { workspace } from '../policy/helpers.js';
import { healthyApp, ok, type ScriptedServer, scriptedServer } from '../support/scripted-server.js';

// post-validate, run from its committed bundle as the runner runs it, against scripted loopback servers.
const ACTION = 'actions/post-validate/dist/index.js';
const TOKEN = 'test-user-token-7d1f9c2b';
const runs: ActionRun[] = [];
const servers: ScriptedServer[] = [];

async function app(overrides: Parameters<typeof healthyApp>[1] = {}): Promise<ScriptedServer> {
  const s = await scriptedServer(healthyApp(TOKEN, overrides));
  servers.push(s);
  return s;
}

async function validate(
  inputs: Record<string, string>,
  files: Record<string, unknown> = {},
): Promise<ActionRun> {
  const run = await runBundle({
    action: ACTION,
    workspace: workspace(files),
    inputs: { samples: '4', interval: '0s', timeout: '2s', ...inputs },
    stepId: 'validate',
  });
  runs.push(run);
  return run;
}

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error');
const reasons = (run: ActionRun) =>
  JSON.parse(run.outputs.reasons ?? '[]') as { check: string; threshold: string }[];
const facts = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.facts ?? '', 'utf8'));

describe('post-validate action', () => {
  it("passes a healthy deployment on the playbook's default checks, with the token only where asked", async () => {
    const server = await app();
    const run = await validate({ 'base-url': server.url, 'bearer-token': TOKEN });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: 'pass', healthy: 'true', 'rollback-recommended': 'false' });
    expect(reasons(run)).toEqual([]);
    for (const path of ['/health', '/api/compliance/cfm/status', '/api/medical-records/test'])
      expect(server.hits(path)).toBe(4);
    expect(server.authorizations).toHaveLength(12); // 3 functional checks × 4 samples, nothing else
    expect(Number(run.outputs['p95-ms'])).toBeGreaterThan(0);
    expect(run.outputs['error-rate']).toBe('0');
    expect(run.summary).toContain('#### compliance');
    expect(existsSync(run.outputs['junit-file'] ?? '')).toBe(true);
    expect(leakedSecrets(run, [TOKEN])).toEqual([]);
  });

  it('a 5xx in more than 5 % of samples is a critical reason to roll back', async () => {
    const server = await app({
      '/health': (n) => (n % 2 === 0 ? { status: 503, text: 'down' } : { json: { status: 'ok' } }),
    });
    const run = await validate({ 'base-url': server.url, 'bearer-token': TOKEN, 'failure-limit': '10' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'fail', healthy: 'false', 'rollback-recommended': 'true' });
    expect(reasons(run).map((r) => r.threshold)).toContain('all:error_rate<=0.05@critical');
    expect(run.stdout).toMatch(
      /Reason: all checks: error_rate was 5\.56 %, which breaks error_rate<=0\.05 \(critical/,
    );
  });

  it('tells a failed check (wrong answer) from an errored probe (no answer)', async () => {
    const server = await app({ '/api/health/database': ok({ status: 'degraded' }) });
    const checks = {
      checks: [
        {
          name: 'db',
          url: '/api/health/database',
          tags: ['database'],
          expect: { json: { '/status': { equals: 'ok' } } },
        },
        { name: 'gone', url: 'http://127.0.0.1:1/health' },
      ],
    };
    const run = await validate(
      {
        'base-url': server.url,
        checks: 'checks.json',
        'consecutive-error-limit': '2',
        thresholds: 'all: p95<2000',
      },
      { 'checks.json': checks },
    );
    expect(run.exitCode).toBe(1);
    const byName = Object.fromEntries(
      facts(run).postValidate.checks.map((c: { name: string }) => [c.name, c]),
    );
    expect(byName.db).toMatchObject({
      verdict: 'fail',
      failed: 4,
      errored: 0,
      lastProblem: 'the JSON value at /status is "degraded", expected "ok"',
    });
    expect(byName.gone).toMatchObject({ verdict: 'error', failed: 0, errored: 4, maxConsecutiveErrors: 4 });
    expect(reasons(run).map((r) => `${r.check}/${r.threshold}`)).toEqual(
      expect.arrayContaining(['db/failure-limit', 'gone/consecutive-error-limit']),
    );
  });

  it('a slow tail breaks p95<2000 but not the critical 30 s trigger; a waiver scoped to that threshold lets it pass', async () => {
    const server = await app({ '/slow': (n) => ({ json: {}, delayMs: n === 4 ? 400 : 5 }) });
    const checks = { checks: [{ name: 'slow', url: '/slow' }] };
    const run = await validate(
      { 'base-url': server.url, checks: 'checks.json', thresholds: 'all: p95<300' },
      { 'checks.json': checks },
    );
    expect(run.exitCode).toBe(1);
    expect(reasons(run)).toEqual([{ check: 'all', threshold: 'all:p95<300', measured: expect.any(Number) }]);
    const index = facts(run).postValidate.thresholds.findIndex((t: { id: string }) => t.id === 'all:p95<300');
    const waivers = {
      waivers: [
        {
          rule: 'post-validate.thresholds-high',
          scope: `/postValidate/thresholds/${index}`,
          reason: 'cold cache after purge',
          approver: 'cto@neonpro.healthcare',
          ticket: 'OPS-9',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      ],
    };
    const waived = await validate(
      { 'base-url': server.url, checks: 'checks.json', thresholds: 'all: p95<300', waivers: 'waivers.json' },
      { 'checks.json': checks, 'waivers.json': waivers },
    );
    expect(waived.exitCode, waived.stdout).toBe(0);
    expect(waived.outputs.verdict).toBe('pass');
  });

  it('a hanging endpoint is an errored probe; with every sample errored it fails, never a pass', async () => {
    const server = await app({ '/hang': () => 'hang' });
    const run = await validate(
      { 'base-url': server.url, checks: 'checks.json', timeout: '200ms', samples: '2' },
      { 'checks.json': { checks: [{ name: 'hang', url: '/hang' }] } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'fail', healthy: 'false', 'error-rate': '1' });
    expect(facts(run).postValidate.checks[0]).toMatchObject({ errored: 2, errorRate: 1, verdict: 'error' });
    expect(reasons(run)).toContainEqual({ check: 'hang', threshold: 'no-response', measured: 2 });
    expect(run.stdout).toContain('timeout');
  });

  it('a failing compliance status is critical even when everything else is fine', async () => {
    const server = await app({
      '/api/compliance/anvisa/status': (n) =>
        n === 2 ? { status: 500, json: {} } : { json: { compliant: true } },
    });
    const run = await validate({ 'base-url': server.url, 'bearer-token': TOKEN, 'failure-limit': '1' });
    expect(run.exitCode).toBe(1);
    expect(reasons(run).map((r) => r.threshold)).toContain('tag:compliance:error_rate==0@critical');
  });

  it('never lets a response body reach the log, so workflow commands in it cannot run', async () => {
    const evil = '::error::injected\n::add-mask::x\n::set-output name=verdict::pass';
    const server = await app({ '/health': () => ({ status: 500, text: evil }) });
    const run = await validate(
      { 'base-url': server.url, checks: 'checks.json' },
      { 'checks.json': { checks: [{ name: 'health', url: '/health' }] } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).not.toContain('injected');
    expect(run.annotations.map((a) => a.message).join('\n')).not.toContain('injected');
    expect(run.outputs.verdict).toBe('fail');
  });

  it('accepts the example checks file (YAML) that the examples workflow uses', async () => {
    const server = await app();
    const example = readFileSync(join(REPO_ROOT, 'examples/post-validate/checks.yml'), 'utf8');
    const run = await validate({ 'base-url': server.url, checks: 'checks.yml' }, { 'checks.yml': example });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(server.hits('/api/compliance/lgpd/status')).toBe(4);
  });

  it('fail-on-unhealthy false reports the verdict without failing the step', async () => {
    const server = await app({ '/health': () => ({ status: 500, text: 'x' }) });
    const run = await validate(
      { 'base-url': server.url, checks: 'checks.json', 'fail-on-unhealthy': 'false' },
      { 'checks.json': { checks: [{ name: 'health', url: '/health' }] } },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: 'fail', 'rollback-recommended': 'true' });
  });
});

describe('post-validate: nothing measured is never a pass', () => {
  const healthOnly = { 'checks.json': { checks: [{ name: 'health', url: '/health' }] } };

  it('a server that resets 4 of 5 connections fails, with the 80 % error rate shown', async () => {
    const server = await app({ '/health': (n) => (n % 5 === 1 ? { json: { status: 'ok' } } : 'reset') });
    const run = await validate({ 'base-url': server.url, checks: 'checks.json', samples: '5' }, healthOnly);
    expect(run.exitCode).toBe(1);
    expect(server.hits('/health')).toBe(5);
    expect(run.outputs).toMatchObject({
      verdict: 'fail',
      'rollback-recommended': 'true',
      'error-rate': '0.8',
    });
    expect(facts(run).postValidate.checks[0]).toMatchObject({
      succeeded: 1,
      errored: 4,
      errorRate: 0.8,
      verdict: 'error',
    });
    expect(reasons(run).map((r) => r.threshold)).toEqual(
      expect.arrayContaining(['no-response', 'all:error_rate<=0.05@critical']),
    );
    expect(run.summary).toContain('error rate 80.0 %');
    expect(run.summary).toMatch(/\| health \| 5 \| 4 \| .* \| 80\.0 % \| ❌ error: reset: /);
    expect(run.summary).toContain('5 samples of 1 checks against');
    expect(run.summary).toContain('4 of them got no answer');
  });

  it('no answer to the first 3 of 10 samples breaks a 10 % error budget; 1 of 10 stays within it', async () => {
    const budget = 'all: error_rate<=0.1, error_rate<=0.1@critical, error_rate<=0.1@medium';
    const lost = (first: number) =>
      app({ '/health': (n) => (n <= first ? 'reset' : { json: { status: 'ok' } }) });
    const three = await lost(3);
    const run = await validate(
      { 'base-url': three.url, checks: 'checks.json', samples: '10', thresholds: budget },
      healthOnly,
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'fail', 'error-rate': '0.3' });
    expect(reasons(run).map((r) => r.threshold)).toEqual(
      expect.arrayContaining(['all:error_rate<=0.1', 'all:error_rate<=0.1@critical']),
    );

    const one = await lost(1);
    const within = await validate(
      { 'base-url': one.url, checks: 'checks.json', samples: '10', thresholds: budget },
      healthOnly,
    );
    expect(within.exitCode, within.stdout).toBe(0);
    expect(within.outputs).toMatchObject({ verdict: 'pass', 'error-rate': '0.1' });
  });

  it('a 200 saying {"compliant": false} or {"status": "unhealthy"} fails the default checks, and the summary shows what it said', async () => {
    const server = await app({
      '/api/compliance/lgpd/status': ok({ compliant: false, regulation: 'LGPD' }),
      '/api/health/database': ok({ status: 'unhealthy' }),
    });
    const run = await validate({ 'base-url': server.url, 'bearer-token': TOKEN });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'fail', 'rollback-recommended': 'true' });
    const byName = Object.fromEntries(
      facts(run).postValidate.checks.map((c: { name: string }) => [c.name, c]),
    );
    expect(byName['LGPD compliance status']).toMatchObject({
      verdict: 'fail',
      failed: 4,
      lastProblem: 'the JSON value at /compliant is false, expected true',
    });
    expect(byName['Database health']).toMatchObject({ verdict: 'fail' });
    expect(byName['CFM compliance status']).toMatchObject({ verdict: 'pass' });
    expect(reasons(run).map((r) => `${r.check}/${r.threshold}`)).toEqual(
      expect.arrayContaining(['LGPD compliance status/failure-limit', 'Database health/failure-limit']),
    );
    expect(run.summary).toContain('❌ fail: the JSON value at /compliant is false, expected true');
    expect(run.summary).toContain('the JSON value at /status is "unhealthy"');
  });

  it('checks the production domain and the API host: the domain down while the deployment answers fails', async () => {
    const deployment = await app();
    const api = await app();
    const down = await scriptedServer({ '/health': () => ({ status: 502, text: 'Bad Gateway' }) });
    servers.push(down);
    const inputs = { 'base-url': deployment.url, checks: 'checks.json', 'api-host-url': api.url };
    const run = await validate({ ...inputs, 'production-url': down.url }, healthOnly);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(down.hits('/health')).toBe(4);
    expect(api.hits('/health')).toBe(4);
    const byName = Object.fromEntries(
      facts(run).postValidate.checks.map((c: { name: string }) => [c.name, c]),
    );
    expect(byName.health).toMatchObject({ verdict: 'pass', url: `${deployment.url}/health` });
    expect(byName['Production domain health']).toMatchObject({
      verdict: 'fail',
      url: `${down.url}/health`,
      tags: ['health', 'production'],
      lastProblem: 'status 502, expected 2xx',
    });
    expect(byName['API host health']).toMatchObject({ verdict: 'pass' });

    const up = await app();
    const healthy = await validate({ ...inputs, 'production-url': up.url }, healthOnly);
    expect(healthy.exitCode, healthy.stdout).toBe(0);
    expect(up.hits('/health')).toBe(4);
  });
});

describe('post-validate bad input: one clear error, no request sent', () => {
  const cases: [string, Record<string, string>, Record<string, unknown>, RegExp][] = [
    ['base-url', { 'base-url': 'not a url' }, {}, /^Input "base-url": "not a url" is not a URL\./],
    ['bearer-token', {}, {}, /^Input "bearer-token": is empty, but 3 check\(s\) send it/],
    ['samples', { samples: 'many' }, {}, /^Input "samples": "many" is not a whole number/],
    ['interval', { interval: 'soon' }, {}, /^Input "interval": "soon" is not a duration/],
    [
      'thresholds',
      { thresholds: 'all: p95<<2' },
      {},
      /^Input "thresholds": "p95<<2" in "all: p95<<2" is not a threshold expression/,
    ],
    [
      'thresholds',
      { thresholds: 'all: error_rate<5' },
      {},
      /^Input "thresholds": "error_rate<5" gives error_rate 5/,
    ],
    [
      'thresholds',
      { thresholds: 'check:Login: p95<500' },
      {},
      /^Input "thresholds": "check:Login:p95<500" names the check "Login", which none of the checks \(the playbook defaults\) has/,
    ],
    ['checks', { checks: 'missing.json' }, {}, /^Input "checks": missing\.json does not exist/],
    [
      'checks',
      { checks: 'c.json' },
      { 'c.json': { checks: [{ name: 'x', url: 'ftp://h' }] } },
      /^Input "checks": c\.json line \d+: \/checks\/0\/url must match pattern/,
    ],
    [
      'checks',
      { checks: 'c.json' },
      {
        'c.json': {
          checks: [
            { name: 'x', url: '/a' },
            { name: 'x', url: '/b' },
          ],
        },
      },
      /^Input "checks": c\.json names two checks "x"/,
    ],
    ['fail-on', { 'fail-on': 'severe' }, {}, /^Input "fail-on": /],
    [
      'production-url',
      { 'production-url': 'neonpro.healthcare' },
      {},
      /^Input "production-url": "neonpro\.healthcare" is not a URL\./,
    ],
    [
      'api-host-url',
      { 'api-host-url': 'ftp://api.neonpro.healthcare' },
      {},
      /^Input "api-host-url": "ftp:\/\/api\.neonpro\.healthcare" is not an http\(s\) URL/,
    ],
    [
      'checks',
      { checks: 'c.json', 'production-url': 'https://neonpro.healthcare' },
      { 'c.json': { checks: [{ name: 'Production domain health', url: '/health' }] } },
      /^Input "checks": c\.json names two checks "Production domain health"/,
    ],
  ];
  for (const [input, values, files, message] of cases) {
    it(`${input}: ${JSON.stringify(values)}`, async () => {
      const server = await app();
      const run = await validate({ 'base-url': server.url, 'bearer-token': TOKEN, ...values }, files);
      if (input === 'bearer-token') {
        const again = await validate({ 'base-url': server.url, ...values }, files);
        expect(errors(again).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
        expect(again.exitCode).toBe(1);
      } else {
        expect(errors(run).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
        expect(run.exitCode).toBe(1);
        expect(run.stdout).not.toMatch(/ at .+\.js:\d+/);
      }
      expect(server.hits('/health')).toBe(input === 'bearer-token' ? 4 : 0);
    });
  }
});

describe('post-validate against deployments the Vercel emulator serves over HTTPS', () => {
  it('judges whatever the production domain serves now: healthy, then a broken release after it switches', async () => {
    const vercel = await startVercelEmulator({ queuedMs: 0, buildMs: 0 });
    try {
      const health = JSON.stringify({ status: 'ok' });
      const good = await vercel.seedDeployment({ project: 'web', target: 'production', files: { health } });
      const bad = await vercel.seedDeployment({ project: 'web', target: 'production', files: { health } });
      vercel.handle('/health', () => ({ status: 503, json: { status: 'down' } }), { deploymentId: bad.id });
      await vercel.waitForState(bad.id);
      const checks = {
        'checks.json': {
          checks: [{ name: 'API health', url: '/health', expect: { json: { '/status': { equals: 'ok' } } } }],
        },
      };
      const probeProduction = async () => {
        const run = await runBundle({
          action: ACTION,
          workspace: workspace(checks),
          inputs: {
            'base-url': vercel.productionUrl('web'),
            checks: 'checks.json',
            samples: '3',
            interval: '0s',
          },
          env: { NODE_EXTRA_CA_CERTS: vercel.caFile },
          stepId: 'validate',
        });
        runs.push(run);
        return run;
      };
      expect(vercel.productionDeploymentId('web')).toBe(bad.id);
      const broken = await probeProduction();
      expect(broken.outputs).toMatchObject({ verdict: 'fail', 'rollback-recommended': 'true' });

      const project = vercel.project('web');
      const rollback = await fetch(
        `${vercel.apiUrl}/v9/projects/${project?.id}/rollback/${good.id}?teamId=${vercel.teamId}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${vercel.token}` },
        },
      );
      expect(rollback.status).toBe(201);
      expect(vercel.productionDeploymentId('web')).toBe(good.id);
      const healthy = await probeProduction();
      expect(healthy.exitCode, healthy.stdout).toBe(0);
      expect(healthy.outputs.verdict).toBe('pass');
    } finally {
      await vercel.close();
    }
  });

  it('a deployment behind Deployment Protection answers 401 without the bypass secret; with it, it passes and only the deployment URL sees it', async () => {
    const vercel = await startVercelEmulator({ queuedMs: 0, buildMs: 0 });
    const SECRET = 'bypass-secret-4f0c1e9a7b2d';
    try {
      const files = { health: JSON.stringify({ status: 'healthy' }) };
      await vercel.seedDeployment({ project: 'shop', target: 'production', files });
      const preview = await vercel.seedDeployment({ project: 'shop', files });
      vercel.protectDeployments('shop', SECRET);
      const seen: { production: boolean; bypass: unknown }[] = [];
      vercel.handle('/health', (req) => {
        seen.push({ production: req.viaProductionDomain, bypass: req.headers['x-vercel-protection-bypass'] });
        return undefined; // the static file answers
      });
      const probeProtected = async (extra: Record<string, string>) => {
        const run = await runBundle({
          action: ACTION,
          workspace: workspace({ 'checks.json': { checks: [{ name: 'API health', url: '/health' }] } }),
          inputs: {
            'base-url': `https://${preview.url}`,
            'production-url': vercel.productionUrl('shop'),
            checks: 'checks.json',
            samples: '2',
            interval: '0s',
            ...extra,
          },
          env: { NODE_EXTRA_CA_CERTS: vercel.caFile },
          stepId: 'validate',
        });
        runs.push(run);
        return run;
      };
      const refused = await probeProtected({});
      expect(refused.exitCode).toBe(1);
      expect(facts(refused).postValidate.checks[0]).toMatchObject({
        name: 'API health',
        verdict: 'fail',
        lastProblem: expect.stringMatching(
          /^status 401, expected 2xx \(a protected Vercel deployment\? pass its bypass secret as protection-bypass\)$/,
        ),
      });
      expect(facts(refused).postValidate.checks[1]).toMatchObject({
        name: 'Production domain health',
        verdict: 'pass',
      });

      seen.length = 0;
      const bypassed = await probeProtected({ 'protection-bypass': SECRET });
      expect(bypassed.exitCode, bypassed.stdout).toBe(0);
      expect(bypassed.outputs.verdict).toBe('pass');
      expect(seen.filter((s) => !s.production).map((s) => s.bypass)).toEqual([SECRET, SECRET]);
      expect(seen.filter((s) => s.production).map((s) => s.bypass)).toEqual([undefined, undefined]);
      expect(leakedSecrets(bypassed, [SECRET])).toEqual([]);
    } finally {
      await vercel.close();
    }
  });
});
