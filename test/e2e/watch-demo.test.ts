import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlaybookSandbox, REPOSITORY, startPlaybookSandbox } from '../../sandbox/playbook.js';
import { readmeCaller } from '../../sandbox/readme-blocks.js';
import { rehearse } from '../../sandbox/rehearse.js';
import {
  demoWatch,
  firstScheduledRun,
  rehearseWatch,
  type WatchNotRun,
  type WatchRehearsal,
  type WatchRun,
} from '../../sandbox/rehearse-watch.js';
import { why } from '../support/run-results.js';

// What `npm run demo` does after the README caller's run: actions/watch/README.md's scheduled caller, run
// through the local runner and the reusable watch.yml (the watch action from its committed bundle), with
// the GitHub emulator's clock moved to T+1 h and T+24 h after the deployment went live. A sandbox per test:
// each rehearses the README's caller, whose vercel-project is written out.
let sandbox: PlaybookSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function rehearsed(healthy = true) {
  sandbox = await startPlaybookSandbox();
  const file = join(mkdtempSync(join(tmpdir(), 'dg-caller-')), 'deploy.yml');
  writeFileSync(file, readmeCaller().text);
  const r = await rehearse(sandbox, { caller: file, healthy, approve: async () => true });
  expect(r.run.result, why(r.run.jobs.playbook?.called)).toBe(healthy ? 'success' : 'failure');
  return { sandbox, r };
}

function watched(w: WatchRehearsal | WatchNotRun): WatchRehearsal {
  if ('skipped' in w) throw new Error(`the watch did not run: ${w.skipped}`);
  return w;
}

const statuses = (s: PlaybookSandbox, id: number) =>
  (s.github.deployments(REPOSITORY).find((d) => d.id === id)?.statuses ?? []).map(
    (st) => `${st.state} ${st.description}`,
  );

async function comments(s: PlaybookSandbox, issue: number): Promise<string[]> {
  const res = await fetch(`${s.github.apiUrl}/repos/${REPOSITORY}/issues/${issue}/comments`, {
    headers: { authorization: `token ${s.github.token}` },
  });
  return ((await res.json()) as { body: string }[]).map((c) => c.body);
}

const HOUR = 3_600_000;

/** A failed assertion on a watch run shows what the watch recorded and its job summary. */
const explain = (run: WatchRun | undefined) =>
  JSON.stringify(
    {
      statuses: run?.statuses,
      errors: run?.errors,
      summary: Object.values(run?.run.jobs ?? {}).map((j) =>
        Object.values(j.called?.jobs ?? {}).map((c) => c.summary),
      ),
    },
    null,
    1,
  );

describe('the post-deployment watch in the demo', { timeout: 600_000 }, () => {
  it('records T+1h, T+24h and T+1w on the deployment; a second run at the same clock records nothing new', async () => {
    const { sandbox: s, r } = await rehearsed();
    const lines: string[] = [];
    const demo = await demoWatch(s, r, r.run, (l) => lines.push(l));
    const w = watched(demo.watch);
    expect(demo.failed, lines.join('\n')).toBe(false);
    expect(
      w.runs.map((x) => [x.horizon, x.run.result, x.judged, x.verdict]),
      w.runs.map(explain).join('\n'),
    ).toEqual([
      ['T+1h', 'success', 'T+1h', 'pass'],
      ['T+24h', 'success', 'T+24h', 'pass'],
      ['T+1w', 'success', 'T+1w', 'pass'],
    ]);
    // Each run started at the caller's schedule ('17 * * * *') after its horizon, by GitHub's clock.
    const live = Date.parse(w.liveSince);
    for (const [run, after] of [
      [w.runs[0], HOUR],
      [w.runs[1], 24 * HOUR],
      [w.runs[2], 7 * 24 * HOUR],
    ] as const) {
      const at = Date.parse(run?.clock ?? '');
      expect(at - live).toBeGreaterThanOrEqual(after);
      expect(at - live).toBeLessThan(after + HOUR);
      expect(new Date(at).getUTCMinutes()).toBe(17);
    }
    // The markers, on the deployment the rehearsal's run recorded, newest first.
    const recorded = statuses(s, w.deploymentId);
    expect(recorded[0]).toMatch(/^success deploy-gates watch T\+1w: pass \(p95 \d+ ms, error rate 0\)$/);
    expect(recorded[1]).toMatch(/^success deploy-gates watch T\+24h: pass \(p95 \d+ ms, error rate 0\)$/);
    expect(recorded[2]).toMatch(/^success deploy-gates watch T\+1h: pass /);
    expect(w.runs.map((x) => x.statuses.map((st) => st.description.split(':')[0]))).toEqual([
      ['deploy-gates watch T+1h'],
      ['deploy-gates watch T+24h'],
      ['deploy-gates watch T+1w'],
    ]);
    // One comment per horizon on the release issue, and the demo's report shows both.
    const posted = await comments(s, w.issue);
    expect(posted.map((c) => c.split('\n')[0])).toEqual([
      '### deploy-gates watch T+1h: pass',
      '### deploy-gates watch T+24h: pass',
      '### deploy-gates watch T+1w: pass',
    ]);
    const report = demo.report.join('\n');
    expect(report).toContain('actions/watch/README.md line');
    expect(report).toMatch(
      /\| T\+1h \| [^|]+ \| success \| T\+1h \| pass \| success: deploy-gates watch T\+1h: pass/,
    );
    expect(report).toMatch(
      /\| T\+24h \| [^|]+ \| success \| T\+24h \| pass \| success: deploy-gates watch T\+24h/,
    );
    expect(report).toMatch(
      /\| T\+1w \| [^|]+ \| success \| T\+1w \| pass \| success: deploy-gates watch T\+1w/,
    );
    expect(report).toContain('> ### deploy-gates watch T+24h: pass');
    expect(report).toContain('> ### deploy-gates watch T+1w: pass');
    // What the demo printed for each horizon: verdict, the deployment status, the comment.
    for (const h of ['T+1h', 'T+24h', 'T+1w']) {
      expect(lines.find((l) => l.includes(`✔ ${h} `))).toMatch(/run success, judged T\+\d+[hw]: pass$/);
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`deployment status success: deploy-gates watch ${h.replace('+', '\\+')}: pass`),
        ),
      );
      expect(lines).toContainEqual(
        `               comment on #${w.issue}: ### deploy-gates watch ${h}: pass`,
      );
    }
    expect(w.changed.map((c) => c.input).sort()).toEqual(['issue', 'production-url']);
    expect(w.secrets).toContainEqual({
      name: 'WATCH_BEARER_TOKEN',
      standIn: 'the token the stand-in API routes accept',
    });

    // The schedule fires again before the next horizon: nothing is due, nothing measured or recorded.
    const again = await w.runAt('T+1w', new Date(w.runs[2]?.clock ?? ''));
    expect(again.run.result, again.errors.join('\n')).toBe('success');
    expect(again.judged).toBe('');
    expect(again.statuses).toEqual([]);
    expect(again.comments).toEqual([]);
    expect(statuses(s, w.deploymentId)).toEqual(recorded);
    expect(await comments(s, w.issue)).toHaveLength(3);
  });

  it('a T+24h breach (the database health route answering 503) records failure and recommends the rollback', async () => {
    const { sandbox: s, r } = await rehearsed();
    const w = watched(
      await rehearseWatch(s, r, r.run, {
        before: (horizon) => {
          if (horizon === 'T+24h') r.outage('/api/health/database', 503);
        },
      }),
    );
    const [hour, day, week] = w.runs;
    // T+1h was judged and recorded (its verdict is the first test's: here only the breach matters).
    expect(hour?.judged, explain(hour)).toBe('T+1h');
    expect(hour?.statuses.map((st) => st.description)).toEqual([
      expect.stringMatching(/^deploy-gates watch T\+1h: /),
    ]);
    // The watch step fails the job, as a failed check should on the run page.
    expect(day?.run.result, explain(day)).toBe('failure');
    expect(day).toMatchObject({
      judged: 'T+24h',
      verdict: 'fail',
      rollbackRecommended: true,
      rollbackDispatched: false,
    });
    expect(day?.statuses).toHaveLength(1);
    expect(day?.statuses[0]?.state).toBe('failure');
    expect(day?.statuses[0]?.description).toMatch(/^deploy-gates watch T\+24h: fail/);
    expect(statuses(s, w.deploymentId)).toContainEqual(
      expect.stringMatching(/^failure deploy-gates watch T\+24h: fail/),
    );
    // Nobody rolled back, and the route still fails a week later: the T+1w review says so again.
    expect(week).toMatchObject({ judged: 'T+1w', verdict: 'fail', rollbackRecommended: true });
    expect(statuses(s, w.deploymentId)[0]).toMatch(/^failure deploy-gates watch T\+1w: fail/);
    expect(day?.comments).toHaveLength(1);
    expect(day?.comments[0]).toMatch(
      /### deploy-gates watch T\+24h: fail[\s\S]*\*\*Rollback recommended\*\*: run \[rollback\.yml\]\(https:\/\/github\.com\/neonpro\/healthcare-platform\/actions\/workflows\/rollback\.yml\)/,
    );
    // The README's caller does not opt in to rollback-dispatch: nothing was dispatched.
    expect(s.github.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/dispatches'))).toEqual(
      [],
    );
  });

  it('after a rollback (--break validate) the watch does not run, and the demo says why', async () => {
    const { sandbox: s, r } = await rehearsed(false);
    expect(r.run.jobs.playbook?.called?.jobs.rollback?.result).toBe('success');
    const lines: string[] = [];
    const demo = await demoWatch(s, r, r.run, (l) => lines.push(l));
    expect(demo.failed).toBe(false);
    expect('skipped' in demo.watch && demo.watch.skipped).toMatch(
      /^the release was rolled back: GitHub deployment \d+ of production is not live, its latest status is failure \("Rolled back: .*nothing new to judge$/,
    );
    expect(demo.report.join('\n')).toContain('Not run: the release was rolled back');
    expect(lines.join('\n')).toContain('Not run: the release was rolled back');
    // Nothing was judged or recorded: no watch run, no marker.
    const markers = s.github
      .deployments(REPOSITORY)
      .flatMap((d) => d.statuses)
      .filter((st) => st.description.startsWith('deploy-gates watch'));
    expect(markers).toEqual([]);
  });

  it("runs at the caller's schedule after each horizon", () => {
    const at = (iso: string) => new Date(iso);
    expect(firstScheduledRun('17 * * * *', at('2026-03-10T06:30:30Z')).toISOString()).toBe(
      '2026-03-10T07:17:00.000Z',
    );
    expect(firstScheduledRun('17 * * * *', at('2026-03-10T06:10:00Z')).toISOString()).toBe(
      '2026-03-10T06:17:00.000Z',
    );
    expect(firstScheduledRun('17 * * * *', at('2026-03-10T06:17:00Z')).toISOString()).toBe(
      '2026-03-10T06:17:00.000Z',
    );
    // A schedule it cannot read as hourly runs right at the horizon.
    expect(firstScheduledRun('*/5 * * * *', at('2026-03-10T06:10:03Z')).toISOString()).toBe(
      '2026-03-10T06:10:03.000Z',
    );
  });
});
