/**
 * preflight-check's security incidents fact (the operations guide's /api/security/incidents/recent), run
 * from its committed bundle against a real HTTP server that answers as a platform might: incidents open
 * and closed, none, a 200 that is not the list, an error, a hang.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, runBundle } from '../../sandbox/runner/run-bundle.js';
import { workspace } from '../policy/helpers.js';

const ACTION = 'actions/preflight-check/dist/index.js';
const RULE = 'preflight.no-open-security-incident';
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const answers = new Map<string, Answer>();
const seen: { path: string; authorization: string | undefined }[] = [];
let server: Server;
let base: string;
const runs: ActionRun[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const answer = answers.get(req.url ?? '');
    if (answer) answer(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const json =
  (body: unknown): Answer =>
  (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function preflight(path: string, answer: Answer | undefined, inputs: Record<string, string> = {}) {
  if (answer) answers.set(path, answer);
  const run = await runBundle({
    action: ACTION,
    workspace: workspace({}),
    // Only incidents are judged here: the other checklist items are other tests' business.
    inputs: {
      timeout: '2s',
      'protected-environment': '',
      'security-incidents-url': `${base}${path}`,
      ...inputs,
    },
    stepId: 'preflight',
  });
  runs.push(run);
  return run;
}

const facts = (run: ActionRun) => JSON.parse(readFileSync(run.outputs.facts ?? '', 'utf8'));
const result = (run: ActionRun) =>
  JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8')).results.find(
    (r: { ruleId: string }) => r.ruleId === RULE,
  );

describe('preflight-check: open security incidents', () => {
  it('an open critical incident fails the rule; resolved and closed ones are not open; the summary lists it', async () => {
    const run = await preflight(
      '/critical',
      json({
        incidents: [
          {
            id: 'INC-7',
            severity: 'Critical',
            status: 'investigating',
            title: 'Unusual access to patient records',
          },
          { id: 'INC-5', severity: 'high', status: 'resolved', title: 'Old' },
          { id: 'INC-4', severity: 'critical', status: 'closed', title: 'Older' },
          { id: 'INC-3', severity: 'low', status: 'open', title: 'Noise' },
        ],
      }),
    );
    expect(run.exitCode).toBe(1);
    expect(facts(run).incidents).toEqual({
      source: `${base}/critical`,
      total: 4,
      open: 2,
      openBySeverity: { critical: 1, high: 0, medium: 0, low: 1, unclassified: 0 },
      openIncidents: [
        {
          id: 'INC-7',
          severity: 'critical',
          status: 'investigating',
          title: 'Unusual access to patient records',
        },
        { id: 'INC-3', severity: 'low', status: 'open', title: 'Noise' },
      ],
    });
    expect(result(run)).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(run.summary).toContain('#### Security incidents');
    expect(run.summary).toContain('INC-7 critical, investigating: Unusual access to patient records');
  });

  it('no open incident passes the rule, and the bearer token is sent and masked', async () => {
    const token = 'incidents-read-token-123';
    const run = await preflight(
      '/none',
      json({ incidents: [{ id: 'INC-1', severity: 'high', status: 'resolved' }] }),
      {
        'security-incidents-token': token,
      },
    );
    expect(result(run)).toMatchObject({ status: 'pass' });
    expect(seen.filter((s) => s.path === '/none').map((s) => s.authorization)).toEqual([`Bearer ${token}`]);
    // Masked before anything else is logged: the mask command is the only line that carries it.
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.includes(token))).toEqual([`::add-mask::${token}`]);
    expect(`${run.summary}${readFileSync(run.outputs.facts ?? '', 'utf8')}`).not.toContain(token);
  });

  it('an open incident without a status or a known severity blocks like a critical one', async () => {
    const run = await preflight('/unclassified', json({ incidents: [{ id: 9, severity: 'sev-2' }] }));
    expect(facts(run).incidents.openBySeverity.unclassified).toBe(1);
    expect(result(run)).toMatchObject({ status: 'fail' });
  });

  it.each([
    [
      'a 200 with an HTML page',
      '/html',
      ((_q, r) => r.writeHead(200).end('<html>login</html>')) as Answer,
      /not JSON/,
    ],
    [
      'a 200 without the incidents list',
      '/object',
      json({ error: 'maintenance' }),
      /without an "incidents" list/,
    ],
    ['a 503', '/down', ((_q, r) => r.writeHead(503).end()) as Answer, /answered HTTP 503/],
    ['a server that never answers', '/hang', (() => {}) as Answer, /did not answer within 2000 ms/],
  ])(
    '%s is a collector error: the fact is missing and the required rule blocks, never "no incidents"',
    async (_name, path, answer, message) => {
      const run = await preflight(path, answer);
      expect(run.exitCode).toBe(1);
      expect(facts(run).incidents).toBeUndefined();
      expect(facts(run).collectorErrors).toEqual([
        { collector: 'incidents', message: expect.stringMatching(message) },
      ]);
      expect(result(run)).toMatchObject({ status: 'not-checked' });
    },
  );

  it('without security-incidents-url the rule is not checked and blocks: the policy requires the fact', async () => {
    const run = await preflight('/unused', undefined, { 'security-incidents-url': '' });
    expect(result(run)).toMatchObject({ status: 'not-checked' });
    expect(result(run).message).toMatch(
      /\/incidents was not collected \(collected by the security-incidents-url input\)/,
    );
  });

  it('a URL that is not http(s) is one ::error naming the input, before anything is asked', async () => {
    const before = seen.length;
    const run = await preflight('/x', undefined, {
      'security-incidents-url': 'ftp://incidents.example/recent',
    });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/security-incidents-url/);
    expect(run.stdout).not.toMatch(/\n\s+at /);
    expect(seen.length).toBe(before);
  });
});
