import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyLedger, type Ledger } from '../../src/incident/ledger.js';
import { parseHooks } from '../../src/rollback/hooks.js';
import { hookKey, hooksStep, type LedgerAccess } from '../../src/rollback/hooks-step.js';

const ECHO = join(import.meta.dirname, 'fixtures', 'echo-argv.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A ledger kept in memory, as the incident issue keeps it; `down` makes it unreachable like GitHub. */
function memoryLedger(
  initial = emptyLedger('1'),
): LedgerAccess & { ledger: Ledger; writes: number; down: boolean } {
  return {
    ledger: initial,
    writes: 0,
    down: false,
    async trustedLedger() {
      if (this.down) throw new Error('GitHub answered 503');
      return this.ledger;
    },
    async write(change) {
      if (this.down) throw new Error('GitHub answered 503');
      change(this.ledger);
      this.writes++;
    },
  };
}

function setup(lines: string, exit?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hooks-step-'));
  dirs.push(dir);
  const logFile = join(dir, 'runs.jsonl');
  const messages: string[] = [];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ECHO_ARGV_LOG: logFile };
  if (exit) env.ECHO_ARGV_EXIT = exit;
  return {
    hooks: parseHooks(lines),
    logFile,
    runs: () =>
      existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        : [],
    messages,
    options: (ledger: LedgerAccess, attempt = 1) => ({
      ledger,
      attempt,
      run: () => ({ cwd: dir, env, onOutput: () => undefined }),
      log: { info: (m: string) => messages.push(m), warning: (m: string) => messages.push(`warning: ${m}`) },
      now: () => new Date(),
    }),
  };
}

describe('hooks step', () => {
  it('skips when there are no hooks', async () => {
    const s = setup('');
    const ledger = memoryLedger();
    expect(await hooksStep({ hooks: [], ...s.options(ledger) }).run(undefined as never)).toEqual({
      status: 'skipped',
      detail: 'No hooks were given.',
    });
  });

  it('runs each hook once, journalled before and after, and a re-run skips them', async () => {
    const s = setup(`node ${ECHO} rollout undo 'deployment/neonpro-web'\nnode ${ECHO} second`);
    const ledger = memoryLedger();
    const first = await hooksStep({ hooks: s.hooks, ...s.options(ledger) }).run(undefined as never);
    expect(first).toEqual({ status: 'done', detail: 'Ran hook 1 (node), hook 2 (node).' });
    expect(s.runs()).toEqual([['rollout', 'undo', 'deployment/neonpro-web'], ['second']]);
    expect(ledger.writes).toBe(4);
    const key = hookKey(s.hooks[0] as never);
    expect(ledger.ledger.hooks[key]).toMatchObject({
      index: 1,
      program: 'node',
      state: 'done',
      exitCode: 0,
      attempt: 1,
    });

    const again = await hooksStep({ hooks: s.hooks, ...s.options(ledger, 2) }).run(undefined as never);
    expect(again).toEqual({
      status: 'skipped',
      detail:
        'Every hook already ran: hook 1 (node) already ran in attempt 1; hook 2 (node) already ran in attempt 1.',
    });
    expect(s.runs()).toHaveLength(2);
  });

  it('stops at a failing hook; the re-run runs it and the rest, not the ones before', async () => {
    const s = setup(`node ${ECHO} one\nnode ${ECHO} two\nnode ${ECHO} three`);
    const ledger = memoryLedger();
    // Fail only the second hook by making its program fail: a missing script exits 1.
    const failing = parseHooks(`node ${ECHO} one\nnode ${ECHO}.missing two\nnode ${ECHO} three`);
    const first = await hooksStep({ hooks: failing, ...s.options(ledger) })
      .run(undefined as never)
      .catch((e: Error) => e);
    expect((first as Error).message).toBe(
      'hook 2 (node) exited with code 1; later hooks were not run. Ran before it: hook 1 (node).',
    );
    expect(s.runs()).toEqual([['one']]);

    // The fixed line is a different hook (its text changed), so it runs; hook 1 is not repeated.
    const second = await hooksStep({ hooks: s.hooks, ...s.options(ledger, 2) }).run(undefined as never);
    expect(second).toEqual({
      status: 'done',
      detail: 'Ran hook 2 (node), hook 3 (node). Skipped: hook 1 (node) already ran in attempt 1.',
    });
    expect(s.runs()).toEqual([['one'], ['two'], ['three']]);
  });

  it('runs a hook again, with a warning, when an earlier attempt started it but never recorded its end', async () => {
    const s = setup(`node ${ECHO} once`);
    const ledger = memoryLedger();
    const key = hookKey(s.hooks[0] as never);
    ledger.ledger.hooks[key] = { index: 1, program: 'node', state: 'started', attempt: 1, at: 'x' };
    const outcome = await hooksStep({ hooks: s.hooks, ...s.options(ledger, 2) }).run(undefined as never);
    expect(outcome.status).toBe('done');
    expect(s.messages).toContain(
      'warning: hook 1 (node) was started in attempt 1 but its end was never recorded (the runner stopped?); running it again.',
    );
    expect(ledger.ledger.hooks[key]).toMatchObject({ state: 'done', attempt: 2 });
  });

  it('runs no hook when the ledger cannot be read', async () => {
    const s = setup(`node ${ECHO} never`);
    const ledger = memoryLedger();
    ledger.down = true;
    await expect(hooksStep({ hooks: s.hooks, ...s.options(ledger) }).run(undefined as never)).rejects.toThrow(
      'No hook was run: the incident ledger that records which hooks already ran could not be read (GitHub answered 503). Re-run once GitHub is reachable.',
    );
    expect(s.runs()).toEqual([]);
  });

  it('fails clearly when a program does not exist, and records it', async () => {
    const s = setup('no-such-program-xyz arg');
    const ledger = memoryLedger();
    await expect(hooksStep({ hooks: s.hooks, ...s.options(ledger) }).run(undefined as never)).rejects.toThrow(
      /^hook 1 \(no-such-program-xyz\) could not be started: .*no-such-program-xyz.*; later hooks were not run\.$/,
    );
    expect(Object.values(ledger.ledger.hooks)[0]).toMatchObject({ state: 'failed' });
  });
});
