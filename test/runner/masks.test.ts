import { describe, expect, it } from 'vitest';
import { secretParts, unmaskedSecrets } from '../../sandbox/runner/secrets.js';
import type { ActionRun } from '../../sandbox/runner/types.js';
import { masksOf } from '../../src/runner/github-runner.js';

const IDENTITY = [
  '# created: 2026-12-05T21:00:00Z',
  '# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
  'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ',
  '',
].join('\n');

describe('masking a multi-line secret', () => {
  it('the adapter masks the value and each line of 8 characters or more, as the runner masks secrets', () => {
    expect(masksOf(IDENTITY)).toEqual([IDENTITY, ...IDENTITY.split('\n').filter((l) => l !== '')]);
    expect(masksOf('one-line-token')).toEqual(['one-line-token']);
    expect(masksOf('a\n-----\nlong enough line')).toEqual(['a\n-----\nlong enough line', 'long enough line']);
    expect(masksOf('')).toEqual([]);
  });

  it('the local runner counts a line of a multi-line secret that no add-mask registered as unmasked', () => {
    const run = (masks: string[]) => ({ masks }) as unknown as ActionRun;
    const keyLine = IDENTITY.split('\n')[2] ?? '';
    expect(secretParts(IDENTITY)).toContain(keyLine);
    expect(unmaskedSecrets(run([IDENTITY]), [IDENTITY])).toContain(keyLine);
    expect(unmaskedSecrets(run(masksOf(IDENTITY)), [IDENTITY])).toEqual([]);
  });
});
