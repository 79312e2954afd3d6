#!/usr/bin/env node
// The CLI runs from its committed bundle, so `npx deploy-gates` needs no build step. The bundle uses
// Node 24's APIs; on an older Node it would die on a SyntaxError deep in a chunk, so say so first.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `error: deploy-gates needs Node.js 24 or later, and this is Node.js ${process.versions.node}. ` +
      'Install Node.js 24 (for example `nvm install 24`, or actions/setup-node with node-version: 24) and run it again.',
  );
  process.exit(2);
}
await import('../dist/cli/index.js');
