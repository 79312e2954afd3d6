import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/incident/step-record.js';
import { runSteps, type Step, StepFailure } from '../../src/rollback/steps.js';

const clock = () => {
  let t = Date.parse('2026-03-10T05:00:00Z');
  return () => {
    t += 1000;
    return new Date(t);
  };
};

describe('runSteps', () => {
  it('records each step with its status, detail, data and the run id and attempt', async () => {
    const steps: Step[] = [
      {
        name: 'app',
        title: 'App',
        run: async () => ({ status: 'skipped', detail: 'dpl_a is already live' }),
      },
      {
        name: 'database',
        title: 'Database',
        run: async () => ({ status: 'done', detail: 'restored', data: { backupId: 'b1' } }),
      },
    ];
    const log = await runSteps(steps, { runId: '77', attempt: 2, now: clock() });
    expect(JSON.parse(JSON.stringify(log))).toEqual({
      app: {
        status: 'skipped',
        detail: 'dpl_a is already live',
        runId: '77',
        attempt: 2,
        startedAt: '2026-03-10T05:00:01.000Z',
        finishedAt: '2026-03-10T05:00:02.000Z',
      },
      database: {
        status: 'done',
        detail: 'restored',
        data: { backupId: 'b1' },
        runId: '77',
        attempt: 2,
        startedAt: '2026-03-10T05:00:03.000Z',
        finishedAt: '2026-03-10T05:00:04.000Z',
      },
    });
    expect(log.title('database')).toBe('Database');
    expect(log.failed()).toEqual([]);
  });

  it('keeps going after a failure, and keeps the facts a StepFailure carries', async () => {
    const ran: string[] = [];
    const steps: Step[] = [
      {
        name: 'database',
        title: 'Database',
        run: async () => {
          ran.push('database');
          throw new StepFailure('rows were written since the backup', { safetyBackupId: 's1' });
        },
      },
      {
        name: 'hooks',
        title: 'Hooks',
        run: async () => {
          ran.push('hooks');
          throw new Error('kubectl exited 1');
        },
      },
      {
        name: 'record',
        title: 'Record',
        run: async (log) => {
          ran.push('record');
          return { status: 'done', detail: `saw ${log.failed().join(', ')} fail` };
        },
      },
    ];
    const log = await runSteps(steps, { runId: '1', attempt: 1 });
    expect(ran).toEqual(['database', 'hooks', 'record']);
    expect(log.get('database')).toMatchObject({
      status: 'failed',
      detail: 'rows were written since the backup',
      data: { safetyBackupId: 's1' },
    });
    expect(log.get('hooks')).toMatchObject({ status: 'failed', detail: 'kubectl exited 1' });
    expect(log.get('hooks')?.data).toBeUndefined();
    expect(log.get('record')).toMatchObject({ status: 'done', detail: 'saw database, hooks fail' });
    expect(log.failed()).toEqual(['database', 'hooks']);
  });

  it('reports each record as it is made and wraps each step', async () => {
    const seen: [string, StepRecord['status'], number][] = [];
    const wrapped: string[] = [];
    await runSteps(
      [
        { name: 'a', title: 'A', run: async () => ({ status: 'done', detail: '' }) },
        { name: 'b', title: 'B', run: async () => ({ status: 'skipped', detail: '' }) },
      ],
      {
        runId: '1',
        attempt: 1,
        onRecord: (name, record, log) => {
          seen.push([name, record.status, log.entries().length]);
        },
        around: async (step, fn) => {
          wrapped.push(step.title);
          return fn();
        },
      },
    );
    expect(seen).toEqual([
      ['a', 'done', 1],
      ['b', 'skipped', 2],
    ]);
    expect(wrapped).toEqual(['A', 'B']);
  });
});
