// Summarises V8 CPU profiles (node --cpu-prof; bench/cold-start.ts with BENCH_CPU_PROF=<folder>): self time
// per script (dist chunks, node: internals) and per top function, for each profile under the folder.
// Usage: node --experimental-transform-types bench/support/profile-summary.ts <folder> [top]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const folder = process.argv[2] ?? '.';
const top = Number(process.argv[3] ?? 8);
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.cpuprofile') ? [p] : [];
  });
for (const file of files(folder).sort()) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const perScript = new Map<string, number>();
  const perFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    const url = (frame?.url || `(${frame?.functionName || 'native'})`).replace(
      /^file:\/\/.*\/dist\//,
      'dist/',
    );
    perScript.set(url, (perScript.get(url) ?? 0) + us);
    const fn = `${frame?.functionName || '(anonymous)'} ${url}:${frame?.lineNumber ?? 0}`;
    perFunction.set(fn, (perFunction.get(fn) ?? 0) + us);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  console.log(`\n${relative(folder, file)}: ${total.toFixed(0)} ms profiled`);
  const show = (m: Map<string, number>) => {
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`    ${(us / 1000).toFixed(1).padStart(7)} ms  ${k}`);
  };
  console.log('  self time by script:');
  show(perScript);
  console.log('  self time by function:');
  show(perFunction);
}
