// `npm run rehearse -- [caller.yml]` and `npm run demo`, in a clone: the rehearsal of
// sandbox/rehearse-command.ts (the npm package's `deploy-gates rehearse`) run from the TypeScript sources.
// Without a file it rehearses the README's caller, as written in README.md: that is `npm run demo`.
// After the run, the post-deployment watch at T+1 h, T+24 h and T+1 week (GitHub's clock moved forward).
// Options: --break validate, --rerun, --approve, --report FILE (default demo-report.md).
// The demo then rehearses the README's matrix over projects, one of them broken (sandbox/rehearse-matrix-demo.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readmeCaller } from '../sandbox/readme-blocks.js';
import { rehearseCommand } from '../sandbox/rehearse-command.js';
import { rehearseMatrixDemo } from '../sandbox/rehearse-matrix-demo.js';

const code = await rehearseCommand(process.argv.slice(2), {
  defaultReport: 'demo-report.md',
  // A clone has the watch's README caller and workflow: the demo goes on to T+1 h, T+24 h and T+1 week.
  watch: true,
  defaultCaller: () => {
    const block = readmeCaller();
    const file = join(mkdtempSync(join(tmpdir(), 'dg-caller-')), 'deploy.yml');
    writeFileSync(file, block.text);
    return { file, name: `the README's caller (${block.file} line ${block.line})` };
  },
});
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  strict: false,
  allowPositionals: true,
});
const matrix =
  code === 0 && positionals.length === 0
    ? await rehearseMatrixDemo({
        reportFile: typeof values.report === 'string' ? values.report : 'demo-report.md',
        append: true,
        approve: values.approve === true,
      })
    : 0;
process.exit(code || matrix);
