#!/usr/bin/env node
// Release step: pins this repository's actions in the reusable workflows to one commit.
//
//   node scripts/pin-actions.mjs <commit-sha> <version> [workflow files…]
//
// A caller that pins playbook.yml by SHA would otherwise still run whatever `actions/<name>@v1` points at
// when the job starts. The commit given is the one whose actions are released (the release commit's parent:
// the release commit changes only these lines, so the actions are the same code); the version goes into
// the comment. Without files: .github/workflows/playbook.yml and rollback.yml.
import { readFileSync, writeFileSync } from 'node:fs';

const OWN_ACTION = /^(\s*(?:-\s+)?uses:\s*neonpro\/deploy-gates\/actions\/[\w.-]+)@[^\s#]+(?:\s*#.*)?$/gm;

const [sha, version, ...files] = process.argv.slice(2);
if (!/^[0-9a-f]{40}$/.test(sha ?? '') || !/^v\d+\.\d+\.\d+$/.test(version ?? '')) {
  console.error('usage: node scripts/pin-actions.mjs <40-hex commit sha> <vX.Y.Z> [workflow files…]');
  process.exit(2);
}
const targets =
  files.length > 0 ? files : ['.github/workflows/playbook.yml', '.github/workflows/rollback.yml'];
for (const file of targets) {
  const before = readFileSync(file, 'utf8');
  let count = 0;
  const after = before.replace(OWN_ACTION, (_, head) => {
    count++;
    return `${head}@${sha} # ${version}`;
  });
  writeFileSync(file, after);
  console.log(`${file}: ${count} action reference(s) pinned to ${sha} (${version})`);
}
