import { describe, expect, it } from 'vitest';
import {
  type IncidentView,
  incidentTitle,
  newIssueBody,
  readLedger,
  renderBlock,
  startMarker,
  updateBody,
} from '../../src/incident/body.js';
import { checklistMarkdown, POST_MORTEM_CHECKLIST } from '../../src/incident/checklist.js';
import { emptyLedger } from '../../src/incident/ledger.js';
import type { StepRecord } from '../../src/incident/step-record.js';

const run = {
  runId: '9876543210',
  attempt: 2,
  repository: 'neonpro/healthcare-platform',
  serverUrl: 'https://github.com',
  workflow: 'playbook',
  sha: '3f786850e387550fdab836ed7e6dc881de23001b',
  actor: 'octocat',
};
const rec = (status: StepRecord['status'], detail: string, attempt = 2): StepRecord => ({
  status,
  detail,
  runId: run.runId,
  attempt,
  startedAt: '2026-03-10T05:00:00Z',
  finishedAt: '2026-03-10T05:00:01Z',
});

function view(over: Partial<IncidentView> = {}): IncidentView {
  const ledger = emptyLedger(run.runId);
  ledger.hooks['1:abc'] = {
    index: 1,
    program: 'kubectl',
    state: 'done',
    attempt: 1,
    at: '2026-03-10T05:00:00Z',
  };
  ledger.attempts.push({
    attempt: 1,
    at: '2026-03-10T04:59:00Z',
    steps: { app: 'done', database: 'failed' },
  });
  return {
    run,
    reason: 'validate failed: error rate 7% > 5%',
    outcome: 'incomplete',
    facts: [
      ['Failed deployment', 'dpl_new'],
      ['Restored deployment', 'dpl_old'],
    ],
    steps: [
      ['app', 'App', rec('skipped', 'dpl_old already serves production', 2)],
      ['database', 'Database', rec('failed', 'rows written since the backup: visits 3 | notes 1', 2)],
    ],
    ledger,
    updatedAt: '2026-03-10T05:01:00Z',
    ...over,
  };
}

describe('incident body', () => {
  it('names the run, attempt, reason, steps and facts, and links the run attempt', () => {
    const block = renderBlock(view());
    expect(block.startsWith(startMarker(run.runId))).toBe(true);
    expect(block).toContain('## ❌ Rollback incomplete: Database failed. Re-run the failed job to finish it');
    expect(block).toContain('**Reason:** validate failed: error rate 7% > 5%'.replace('>', '&gt;'));
    expect(block).toContain(
      '| Workflow run | [playbook 9876543210, attempt 2](https://github.com/neonpro/healthcare-platform/actions/runs/9876543210/attempts/2) |',
    );
    expect(block).toContain('| Failed deployment | dpl\\_new |');
    expect(block).toContain('| App | ⏭️ skipped | dpl\\_old already serves production | 2 |');
    // A pipe in a detail cannot break the table.
    expect(block).toContain(
      '| Database | ❌ failed | rows written since the backup: visits 3 \\| notes 1 | 2 |',
    );
    expect(block).toContain('- attempt 1 (2026-03-10T04:59:00Z): app done, database failed');
  });

  it('puts the playbook post-mortem checklist in a new issue, outside the block', () => {
    const body = newIssueBody(view());
    const end = body.indexOf('<!-- deploy-gates:rollback-end');
    expect(body.indexOf('### Post-mortem checklist')).toBeGreaterThan(end);
    for (const group of POST_MORTEM_CHECKLIST) {
      for (const item of group.items) expect(body).toContain(`- [ ] ${item}`);
    }
    expect(body).toContain('- [ ] Schedule post-mortem');
    expect(body).toContain('- [ ] Root Cause Analysis: document findings');
  });

  it('replaces only its own block on update, keeping ticked items and notes', () => {
    const first = newIssueBody(view());
    const edited = `${first.replace('- [ ] Schedule post-mortem', '- [x] Schedule post-mortem')}\n\nNote from on-call: DB owner paged.`;
    const next = updateBody(
      edited,
      view({ outcome: 'rolled-back', steps: [['database', 'Database', rec('done', 'restored', 3)]] }),
    );
    expect(next).toContain('- [x] Schedule post-mortem');
    expect(next).toContain('Note from on-call: DB owner paged.');
    expect(next).toContain('## ✅ Rolled back: the previous deployment is serving production');
    expect(next).not.toContain('Rollback incomplete');
    expect(next.split(startMarker(run.runId))).toHaveLength(2);
    expect(checklistMarkdown().length).toBeGreaterThan(0);
    expect(next.split('### Post-mortem checklist')).toHaveLength(2);
  });

  it('appends its block and the checklist to an issue a person opened', () => {
    const next = updateBody('Production is down since 05:00.', view());
    expect(next.startsWith('Production is down since 05:00.\n\n<!-- deploy-gates:rollback')).toBe(true);
    expect(next).toContain('### Post-mortem checklist');
  });

  it('keeps other runs’ blocks apart (run 12 is not run 123)', () => {
    const other = newIssueBody(view({ run: { ...run, runId: '12' }, ledger: emptyLedger('12') }));
    const both = updateBody(other, view({ run: { ...run, runId: '123' }, ledger: emptyLedger('123') }));
    expect(readLedger(both, '12')).toMatchObject({ kind: 'found', ledger: { runId: '12' } });
    expect(readLedger(both, '123')).toMatchObject({ kind: 'found', ledger: { runId: '123' } });
    expect(readLedger(both, '1')).toEqual({ kind: 'absent' });
  });

  it('round-trips the ledger, even with -- and --> in it', () => {
    const v = view();
    v.ledger.notifications.push({ attempt: 1, digest: 'a-->b--c---', delivered: true, at: 'x' });
    const body = newIssueBody(v);
    expect(body.match(/-->/g)?.length).toBe(3);
    const read = readLedger(body, run.runId);
    expect(read).toEqual({ kind: 'found', ledger: v.ledger });
  });

  it('reports a ledger damaged by an edit instead of trusting it', () => {
    const body = newIssueBody(view());
    expect(readLedger(body.replace('"state":"done"', '"state":"maybe"'), run.runId)).toEqual({
      kind: 'damaged',
    });
    expect(readLedger(body.replace(/<!-- deploy-gates:ledger [^\n]*\n/, ''), run.runId)).toEqual({
      kind: 'damaged',
    });
    expect(readLedger(body.replace('<!-- deploy-gates:rollback-end', '<!-- x'), run.runId)).toEqual({
      kind: 'damaged',
    });
  });

  it('titles the issue from the run and the reason', () => {
    expect(incidentTitle(run, 'validate failed:\n error rate')).toBe(
      'Deployment rollback: validate failed: error rate (playbook run 9876543210)',
    );
    expect(incidentTitle(run, '')).toBe('Deployment rollback (playbook run 9876543210)');
    expect(incidentTitle(run, 'x'.repeat(300))).toBe(
      `Deployment rollback: ${'x'.repeat(119)}… (playbook run 9876543210)`,
    );
  });
});
