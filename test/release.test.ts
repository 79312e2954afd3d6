import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pinActions, REPOSITORY, releaseNotes, SHIPPED_WORKFLOWS } from '../scripts/release.mjs';
import { TOOL_VERSION } from '../src/version.js';
import { lintProblems } from './support/workflow-lint.js';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const SHA = 'a'.repeat(40);
const ownUses = (text: string) =>
  [...text.matchAll(new RegExp(`uses:\\s*(${REPOSITORY}/\\S+)`, 'g'))].map((m) => m[1] ?? '');

describe('pinning the shipped workflows to the release commit', () => {
  for (const file of SHIPPED_WORKFLOWS) {
    it(`${file}: every action of this repository is pinned, nothing else changes, still actionlint clean`, async () => {
      const before = read(file);
      const refs = ownUses(before);
      expect(refs.length).toBeGreaterThan(0);
      const { text, count } = pinActions(before, SHA);
      expect(count).toBe(refs.length);
      expect(ownUses(text)).toEqual(refs.map((r) => r.replace(/@.*$/, `@${SHA}`)));
      // The same workflow but for those references.
      const unpin = (t: string) =>
        t.replace(/(uses:\s*neonpro\/deploy-gates\/\S+)@\S+( # was \S+)?/g, '$1@REF');
      expect(parse(unpin(text))).toEqual(parse(unpin(before)));
      expect(pinActions(text, SHA).text).toBe(text);
      expect(await lintProblems(text, file)).toEqual([]);
    });
  }

  it('keeps the old ref as a comment and leaves other repositories alone', () => {
    const text = [
      '      - uses: neonpro/deploy-gates/actions/rollback@v1',
      '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      '        uses: neonpro/deploy-gates/actions/post-validate@v1.2.0 # pinned by hand',
    ].join('\n');
    expect(pinActions(text, SHA).text.split('\n')).toEqual([
      `      - uses: neonpro/deploy-gates/actions/rollback@${SHA} # was v1`,
      '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      `        uses: neonpro/deploy-gates/actions/post-validate@${SHA} # was v1.2.0`,
    ]);
  });

  it('refuses anything but a full commit SHA', () => {
    expect(() => pinActions('uses: neonpro/deploy-gates/actions/rollback@v1', 'v1')).toThrow(
      /full 40-character/,
    );
    expect(() => pinActions('', 'abc1234')).toThrow(/full 40-character/);
  });
});

describe('release notes from CHANGELOG.md', () => {
  it("src/version.ts says package.json's version (reports and SARIF name the tool by it)", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(TOOL_VERSION).toBe(version);
  });

  it("has a section for package.json's version", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(releaseNotes(read('CHANGELOG.md'), version)).not.toBe('');
  });

  it('takes exactly one section, and fails when the version has none', () => {
    const changelog =
      '# Changelog\n\n## [Unreleased]\n- next\n\n## [1.1.0] - 2027-01-02\n- a\n- b\n\n## [1.0.0]\n- c\n';
    expect(releaseNotes(changelog, '1.1.0')).toBe('- a\n- b');
    expect(releaseNotes(changelog, '1.0.0')).toBe('- c');
    expect(() => releaseNotes(changelog, '1.2.0')).toThrow(/no "## \[1\.2\.0\]" section/);
    expect(() => releaseNotes('## [2.0.0]\n\n## [1.0.0]\n- c\n', '2.0.0')).toThrow(/is empty/);
  });
});

describe('the release workflow', () => {
  const workflow = parse(read('.github/workflows/release.yml')) as {
    on: { push: { tags: string[] } };
    jobs: Record<string, { permissions: Record<string, string>; steps: { run?: string }[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const index = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ''));

  it('runs on semver tags only', () => {
    expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
  });

  it('runs the whole CI before it pins, and pins before it moves any tag', () => {
    const ci = index(/bash \.ci\/run/);
    const pin = index(/release\.mjs pin "\$GITHUB_SHA"/);
    const push = index(/git push --force origin "refs\/tags\/\$TAG" "refs\/tags\/\$\{TAG%%\.\*\}"/);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(pin).toBeGreaterThan(ci);
    expect(push).toBe(pin);
    expect(steps[pin]?.run?.indexOf('release.mjs pin')).toBeLessThan(
      steps[pin]?.run?.indexOf('git push') ?? 0,
    );
  });

  it('checks the notes exist before the long CI run', () => {
    expect(index(/release\.mjs notes/)).toBeLessThan(index(/bash \.ci\/run/));
  });
});
