import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  parseBoolean,
  parseDuration,
  parseEnum,
  parseHttpUrl,
  parseInteger,
  parseList,
  parsePassphrase,
  parseSecretToken,
  parseSingleLine,
  quoteValue,
  requireInput,
} from '../../src/runner/inputs.js';
import { parseExistingPath, parseOutputPath, parseWritableFolder } from '../../src/runner/paths.js';
import { runContext } from '../../src/runner/runner.js';

const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return { input: err.input, problem: err.problem };
    throw err;
  }
  throw new Error('no InputError');
};

describe('input parsers', () => {
  it('lists split on lines and commas, without blanks or comments', () => {
    expect(parseList('a, b\n# c\n\n d ,')).toEqual(['a', 'b', 'd']);
  });

  it('booleans, enums and integers keep their fallback when empty', () => {
    expect(parseBoolean('x', '', true)).toBe(true);
    expect(parseBoolean('x', ' Off ', true)).toBe(false);
    expect(parseEnum('mode', 'AUDIT', ['enforce', 'audit'] as const, 'enforce')).toBe('audit');
    expect(parseInteger('n', '', 3)).toBe(3);
    expect(problem(() => parseBoolean('promote', 'maybe', true))).toEqual({
      input: 'promote',
      problem: '"maybe" is not a boolean',
    });
    expect(problem(() => parseInteger('retries', '11', 2, { min: 0, max: 10 }))).toEqual({
      input: 'retries',
      problem: '11 is out of range',
    });
  });

  it('durations take units, bare seconds, and bounds', () => {
    expect(parseDuration('t', '1500ms', 0)).toBe(1500);
    expect(parseDuration('t', '2', 0)).toBe(2000);
    expect(parseDuration('t', '1.5m', 0)).toBe(90_000);
    expect(parseDuration('t', '', 7)).toBe(7);
    expect(problem(() => parseDuration('timeout', '0s', 1))).toMatchObject({
      problem: '"0s" is out of range',
    });
    expect(problem(() => parseDuration('timeout', '5 minutes', 1))).toMatchObject({
      problem: '"5 minutes" is not a duration',
    });
  });

  it('URLs must be absolute http(s)', () => {
    expect(parseHttpUrl('u', 'https://a.example/x', 'a URL').href).toBe('https://a.example/x');
    expect(problem(() => parseHttpUrl('u', 'javascript:alert(1)', 'a URL'))).toMatchObject({
      problem: 'has the scheme "javascript:", not http: or https:',
    });
    expect(problem(() => parseHttpUrl('u', '/relative', 'a URL'))).toMatchObject({
      problem: '"/relative" is not an absolute URL',
    });
  });

  it('tokens refuse whitespace without quoting the value; names stay on one line', () => {
    const p = problem(() => parseSecretToken('vercel-token', 'tok\nen'));
    expect(p.problem).not.toContain('tok');
    expect(problem(() => parseSingleLine('vercel-team', 'a\nb'))).toMatchObject({ input: 'vercel-team' });
    expect(problem(() => requireInput('vercel-project', '  ', 'the project'))).toEqual({
      input: 'vercel-project',
      problem: 'is required but empty',
    });
    expect(quoteValue('x'.repeat(100))).toMatch(/…" \(100 characters\)$/);
  });

  it('passphrases keep their spaces but refuse line breaks, huge values and unexpanded shell syntax, unquoted', () => {
    expect(parsePassphrase('encryption-key', ' correct horse battery staple ')).toBe(
      'correct horse battery staple',
    );
    for (const bad of ['pass\nphrase', 'x'.repeat(1025), 'tok en"$(id)', `\${KEY}`, 'a`id`b']) {
      const p = problem(() => parsePassphrase('encryption-key', bad));
      expect(p.input).toBe('encryption-key');
      expect(p.problem).not.toContain(bad.slice(0, 6));
    }
  });
});

describe('paths', () => {
  const ws = mkdtempSync(join(tmpdir(), 'dg-paths-'));
  const temp = join(ws, '.tmp');
  mkdirSync(join(ws, 'dir'));
  writeFileSync(join(ws, 'file.json'), '{}');

  it('existing paths are checked for kind', () => {
    expect(parseExistingPath('waivers', 'file.json', ws, 'file')).toBe(join(ws, 'file.json'));
    expect(problem(() => parseExistingPath('waivers', 'dir', ws, 'file'))).toMatchObject({
      problem: '"dir" is not a file',
    });
    expect(problem(() => parseExistingPath('waivers', 'none', ws, 'file'))).toMatchObject({
      problem: '"none" does not exist',
    });
    // A file that exists but is not the repository's: refused before it is read.
    expect(problem(() => parseExistingPath('sign-off', '../../../../../../etc/passwd', ws, 'file'))).toEqual({
      input: 'sign-off',
      problem: '"../../../../../../etc/passwd" is outside the workspace',
    });
    expect(problem(() => parseExistingPath('waivers', '/etc/hostname', ws, 'file'))).toMatchObject({
      problem: '"/etc/hostname" is outside the workspace',
    });
  });

  it('output paths stay inside the workspace or RUNNER_TEMP and are not folders', () => {
    const roots = { workspace: ws, runnerTemp: temp };
    expect(parseOutputPath('report-file', 'out/r.json', roots)).toBe(join(ws, 'out/r.json'));
    expect(parseOutputPath('report-file', join(temp, 'r.json'), roots)).toBe(join(temp, 'r.json'));
    expect(problem(() => parseOutputPath('report-file', '/etc/r.json', roots))).toMatchObject({
      problem: '"/etc/r.json" is outside the workspace and RUNNER_TEMP',
    });
    expect(problem(() => parseOutputPath('report-file', 'dir', roots))).toMatchObject({
      problem: '"dir" is a folder, not a file',
    });
  });

  it('a folder to write into is proven by creating and removing a file, which /proc refuses even to root', () => {
    expect(parseWritableFolder('backup-path', 'backups/new', ws)).toBe(join(ws, 'backups/new'));
    // The probe leaves nothing behind, and the folder is not created before it is needed.
    expect(readdirSync(ws).sort()).toEqual(['dir', 'file.json']);
    expect(problem(() => parseWritableFolder('backup-path', '/proc/deploy-gates-backups', ws))).toMatchObject(
      {
        input: 'backup-path',
        problem: expect.stringMatching(
          /^"\/proc\/deploy-gates-backups" is in a folder (this job cannot write|where no file can be created)/,
        ),
      },
    );
    expect(problem(() => parseWritableFolder('backup-path', 'file.json', ws))).toMatchObject({
      problem: '"file.json" is a file, not a folder',
    });
  });
});

describe('runContext', () => {
  it('reads the run from the environment', () => {
    const ctx = runContext({
      GITHUB_WORKSPACE: '/ws',
      RUNNER_TEMP: '/tmp/r',
      GITHUB_RUN_ID: '9',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/deploy.yml@refs/heads/main',
      GITHUB_ACTION: 'gate',
      GITHUB_API_URL: 'http://127.0.0.1:1234',
    });
    expect(ctx).toMatchObject({
      workspace: '/ws',
      runnerTemp: '/tmp/r',
      runId: '9',
      runAttempt: 3,
      repository: 'acme/app',
      workflowFile: '.github/workflows/deploy.yml',
      action: 'gate',
      apiUrl: 'http://127.0.0.1:1234',
    });
  });

  it('has working defaults outside a runner', () => {
    expect(runContext({ GITHUB_RUN_ATTEMPT: 'x' })).toMatchObject({
      runId: 'local',
      runAttempt: 1,
      repository: 'local/local',
      workflowFile: '',
      action: 'deploy-gates',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
    });
  });
});
