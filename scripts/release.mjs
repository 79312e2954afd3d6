#!/usr/bin/env node
// The release steps that are not git plumbing, kept here so the tests run them (test/release.test.ts):
//   node scripts/release.mjs notes 1.2.3   prints the CHANGELOG section of 1.2.3; fails if there is none
//   node scripts/release.mjs pin <sha>     pins this repository's actions in the shipped workflows to <sha>
// A caller that pins the reusable workflow by SHA must get the actions of that same release, not whatever
// the moving `v1` tag points at later; so the release commit names its actions by commit.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY = 'neonpro/deploy-gates';
/** The workflows that callers run with `uses:` and that name this repository's actions. */
export const SHIPPED_WORKFLOWS = ['.github/workflows/playbook.yml', '.github/workflows/rollback.yml'];

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every `uses: <repo>/<path>@<ref>` of this repository rewritten to `@<sha>`, with the old ref as a comment. */
export function pinActions(text, sha, repository = REPOSITORY) {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`"${sha}" is not a full 40-character commit SHA`);
  const ref = new RegExp(
    `(uses:\\s*${escapeRegExp(repository)}/[\\w./-]+)@([\\w.-]+)(?:[ \\t]*#[^\\n]*)?`,
    'g',
  );
  let count = 0;
  const pinned = text.replace(ref, (whole, uses, old) => {
    count += 1;
    return old === sha ? whole : `${uses}@${sha} # was ${old}`;
  });
  return { text: pinned, count };
}

/** The body of `## [version]` in a Keep a Changelog file. */
export function releaseNotes(changelog, version) {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^## \\[${escapeRegExp(version)}\\]`).test(l));
  if (start < 0)
    throw new Error(
      `CHANGELOG.md has no "## [${version}]" section: move the Unreleased notes under it first`,
    );
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  if (body === '') throw new Error(`CHANGELOG.md's "## [${version}]" section is empty`);
  return body;
}

async function main([command, arg]) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  if (command === 'notes' && arg) {
    process.stdout.write(`${releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), arg)}\n`);
    return;
  }
  if (command === 'pin' && arg) {
    for (const file of SHIPPED_WORKFLOWS) {
      const { text, count } = pinActions(readFileSync(join(root, file), 'utf8'), arg);
      if (count === 0) throw new Error(`${file} names none of ${REPOSITORY}'s actions: nothing to pin`);
      writeFileSync(join(root, file), text);
      console.log(`${file}: ${count} action reference(s) pinned to ${arg}`);
    }
    return;
  }
  throw new Error('usage: node scripts/release.mjs notes <version> | pin <commit-sha>');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`error: ${error.message}`);
    process.exit(1);
  });
}
