import { describe, expect, it } from 'vitest';
import { parseWorkflowCommands } from '../../sandbox/runner/workflow-commands.js';
import { plainLog } from '../../src/runner/github-runner.js';

describe('plainLog', () => {
  it.each([
    'migrate-command: dbmate\n::warning::injected',
    '  ::set-output name=decision::pass',
    'deployment dpl_1\r\n::add-mask::x',
  ])('a value that looks like a workflow command stays text: %j', (message) => {
    const parsed = parseWorkflowCommands(plainLog(message));
    expect(parsed.commands.filter((c) => c.command !== 'stop-commands')).toEqual([]);
    expect(parsed.annotations).toEqual([]);
    expect(parsed.log.join('\n')).toBe(message.replace(/\r\n/g, '\n'));
  });

  it('an ordinary message is written as it is', () => {
    expect(plainLog('Backup 12 MB in 3 s')).toBe('Backup 12 MB in 3 s\n');
  });
});
