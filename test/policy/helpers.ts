import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway workspace with the given files (objects are written as JSON). */
export function workspace(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dg-ws-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

export function policy(rules: unknown[], extra: Record<string, unknown> = {}) {
  return { id: 'test/policy', title: 'Test policy', version: '1.0.0', rules, ...extra };
}

export function rule(id: string, schema: unknown, extra: Record<string, unknown> = {}) {
  return {
    id,
    title: `Rule ${id}`,
    severity: 'high',
    reference: 'test',
    remediation: 'fix it',
    schema,
    ...extra,
  };
}
