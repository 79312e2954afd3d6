// `npm run demo`: the deployment playbook run locally against the sandbox, through the committed action
// bundles and the same runner harness the tests use. It grows with the pipeline: today the policy gate
// judges the example release twice (ready, then not ready) and a throwaway PostgreSQL cluster proves the
// sandbox; every step's job summary goes into one Markdown report.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../sandbox/postgres/cluster.js';
import { runAction } from '../test/harness/run-action.js';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { report: { type: 'string', default: 'demo-report.md' } } });

interface Step {
  name: string;
  ok: boolean;
  expected: boolean;
  ms: number;
  detail: string;
  summary: string;
}
const steps: Step[] = [];
const started = Date.now();

async function timed(
  name: string,
  expected: boolean,
  fn: () => Promise<Omit<Step, 'name' | 'ms' | 'expected'>>,
): Promise<void> {
  const t0 = Date.now();
  process.stdout.write(`▶ ${name}\n`);
  const result = await fn();
  const step = { name, expected, ms: Date.now() - t0, ...result };
  steps.push(step);
  const mark = step.ok === expected ? (step.ok ? '✔' : '✔ (failed as expected)') : '✘ UNEXPECTED';
  process.stdout.write(`  ${mark} ${step.detail} [${step.ms} ms]\n`);
}

const workspace = mkdtempSync(join(tmpdir(), 'deploy-gates-demo-'));
cpSync(join(root, 'examples/policy-gate'), workspace, { recursive: true });

await timed('sandbox: start a throwaway PostgreSQL cluster', true, async () => {
  const pg = await startPostgres();
  const version = (await pg.psql('SHOW server_version')).trim();
  await pg.stop();
  return {
    ok: true,
    detail: `PostgreSQL ${version} on 127.0.0.1:${pg.port}, stopped and removed`,
    summary: '',
  };
});

for (const [facts, expected] of [
  ['facts-ready.json', true],
  ['facts-not-ready.json', false],
] as const) {
  await timed(`policy gate: release readiness with ${facts}`, expected, async () => {
    const run = await runAction({
      action: 'dist/index.js',
      workspace,
      inputs: { policies: 'release-readiness.json', facts, waivers: 'waivers.yaml' },
      stepId: `gate-${facts.replace(/\W+/g, '-')}`,
    });
    const errors = run.annotations
      .filter((a) => a.level === 'error')
      .map((a) => `\n      ${a.title ?? 'error'}: ${a.message.split('\n')[0]}`);
    const detail = `decision=${run.outputs.decision}, passed=${run.outputs.passed}, failed=${run.outputs.failed}, waived=${run.outputs.waived}${errors.join('')}`;
    return { ok: run.exitCode === 0, detail, summary: run.summary };
  });
}

const unexpected = steps.filter((s) => s.ok !== s.expected);
const total = Date.now() - started;
const timeline = steps.map(
  (s) =>
    `| ${s.name} | ${s.ok ? 'success' : 'failure'} | ${s.ok === s.expected ? 'as expected' : '**unexpected**'} | ${s.ms} ms |`,
);
const report = [
  '# deploy-gates demo',
  '',
  `Run on ${new Date().toISOString()}, ${total} ms in all.`,
  '',
  '| step | result | | duration |',
  '| --- | --- | --- | --- |',
  ...timeline,
  '',
  ...steps.filter((s) => s.summary).flatMap((s) => [`---`, '', `_${s.name}_`, '', s.summary]),
].join('\n');
const reportPath = resolve(values.report ?? 'demo-report.md');
writeFileSync(reportPath, `${report}\n`);
process.stdout.write(`\nTimeline: ${steps.length} steps in ${total} ms; job summaries in ${reportPath}\n`);
process.exit(unexpected.length > 0 ? 1 : 0);
