/** The copy-paste YAML of the READMEs, read from the Markdown itself so docs and what runs cannot drift. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/policy/package-root.js';

// The clone, or the installed npm package (the rehearsal runs from both).
const ROOT = packageRoot();

export interface YamlBlock {
  /** Relative to the repository root. */
  file: string;
  /** 1-based line of the block's first line of YAML. */
  line: number;
  text: string;
}

export function yamlBlocks(file: string): YamlBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: YamlBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i] ?? '')) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    blocks.push({ file, line: start + 1, text: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** The README's caller workflow: the block a team copies into .github/workflows/deploy.yml. */
export function readmeCaller(): YamlBlock {
  const caller = yamlBlocks('README.md').find((b) =>
    b.text.includes('uses: neonpro/deploy-gates/.github/workflows/playbook.yml@'),
  );
  if (!caller) throw new Error('README.md has no caller of the playbook workflow');
  return caller;
}
