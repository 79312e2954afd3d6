import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KubernetesEmulator, startKubernetesEmulator } from '../../sandbox/kubernetes/emulator.js';
import type { PgCluster } from '../../sandbox/postgres/cluster.js';
import { type ActionRun, leakedSecrets, runBundle } from '../../sandbox/runner/run-bundle.js';
import { usePostgres } from '../support/action-world.js';

// infra-change, from its committed bundle, running the real kubectl (from PATH: Debian's kubernetes-client
// in CI) against the sandbox's Kubernetes API, with its journal in a real PostgreSQL.
const ACTION = 'actions/infra-change/dist/index.js';
let k8s: KubernetesEmulator;
let pgc: PgCluster;
let dbs = 0;
const runs: ActionRun[] = [];
const workspaces: string[] = [];

usePostgres((p) => {
  pgc = p;
});
beforeAll(async () => {
  k8s = await startKubernetesEmulator({ namespaces: ['neonpro'] });
});
afterAll(() => k8s?.close());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
  for (const w of workspaces.splice(0)) rmSync(w, { recursive: true, force: true });
});

const manifests = (name: string, image: string, level: string) => ({
  'k8s/monitoring/config.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-monitoring\n  namespace: neonpro\ndata:\n  level: ${level}\n`,
  'k8s/healthcare/web.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: neonpro',
    'spec:',
    '  replicas: 2',
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    '    metadata:',
    `      labels: {app: ${name}}`,
    '    spec:',
    '      containers:',
    '      - name: web',
    `        image: ${image}`,
    '        ports:',
    '        - containerPort: 3000',
    '',
  ].join('\n'),
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dg-infra-'));
  workspaces.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

async function newDatabase(): Promise<string> {
  const name = `infra${++dbs}`;
  await pgc.createDatabase(name);
  return pgc.url(name);
}

async function infra(
  ws: string,
  inputs: Record<string, string>,
  opts: { runId?: string; runAttempt?: number } = {},
): Promise<ActionRun> {
  const run = await runBundle({
    action: ACTION,
    workspace: ws,
    inputs: {
      kubeconfig: k8s.kubeconfig('neonpro'),
      manifests: 'k8s/monitoring\nk8s/healthcare/web.yaml',
      ...inputs,
    },
    stepId: 'infra',
    runId: opts.runId ?? '4242',
    ...(opts.runAttempt ? { runAttempt: opts.runAttempt } : {}),
    timeoutMs: 90_000,
  });
  runs.push(run);
  return run;
}

const errors = (run: ActionRun) => run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
const image = (name: string) =>
  (
    k8s.get('Deployment', name, 'neonpro')?.spec as {
      template: { spec: { containers: { image: string }[] } };
    }
  )?.template.spec.containers[0]?.image;
const writesSince = (n: number) => k8s.writes().slice(n);
const kubeDirs = (run: ActionRun) =>
  existsSync(run.runnerTemp)
    ? readdirSync(run.runnerTemp).filter((f) => f.startsWith('deploy-gates-kube-'))
    : [];

describe('infra-change plan', () => {
  it('shows the server-side dry run and the diff to the approvers, and changes nothing', async () => {
    const ws = workspace(manifests('plan-web', 'neonpro/web:1.0.0', 'info'));
    const before = k8s.writes().length;
    const run = await infra(ws, { mode: 'plan' });
    expect(errors(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changes).toBe('true');
    expect(run.outputs.result).toBe('planned');
    expect(run.outputs.plan).toContain('+      - image: neonpro/web:1.0.0');
    expect(run.summary).toContain('## Infrastructure plan');
    expect(run.summary).toContain('```diff');
    expect(run.summary).toContain('deployment.apps/plan-web created (server dry run)');
    expect(writesSince(before)).toEqual([]);
    expect(k8s.requests.some((r) => r.dryRun)).toBe(true);
    expect(k8s.get('Deployment', 'plan-web', 'neonpro')).toBeUndefined();
    expect(kubeDirs(run)).toEqual([]);
    expect(leakedSecrets(run, [k8s.token])).toEqual([]);
  });

  it('says there are no changes when the cluster matches', async () => {
    const ws = workspace(manifests('same-web', 'neonpro/web:1.0.0', 'info'));
    expect((await infra(ws, { mode: 'apply' })).exitCode).toBe(0);
    const run = await infra(ws, { mode: 'plan' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changes).toBe('false');
    expect(run.summary).toContain('No differences');
  });
});

describe('infra-change apply and undo', () => {
  it('applies, and a re-run of the same run does not apply again', async () => {
    const db = await newDatabase();
    const ws = workspace(manifests('apply-web', 'neonpro/web:1.0.0', 'info'));
    const first = await infra(ws, { mode: 'apply', 'database-url': db }, { runId: '7001' });
    expect(errors(first)).toEqual([]);
    expect(first.outputs.result).toBe('applied');
    expect(image('apply-web')).toBe('neonpro/web:1.0.0');
    expect(k8s.get('ConfigMap', 'apply-web-monitoring', 'neonpro')?.data).toEqual({ level: 'info' });
    const before = k8s.writes().length;
    const again = await infra(ws, { mode: 'apply', 'database-url': db }, { runId: '7001', runAttempt: 2 });
    expect(again.exitCode).toBe(0);
    expect(again.outputs.result).toBe('already-applied');
    expect(again.summary).toContain('already done (attempt 1)');
    expect(writesSince(before)).toEqual([]);
    expect(kubeDirs(again)).toEqual([]);
  });

  it('undoes with kubectl rollout undo to the previous revision, once', async () => {
    const db = await newDatabase();
    const v1 = workspace(manifests('undo-web', 'neonpro/web:1.0.0', 'info'));
    const v2 = workspace(manifests('undo-web', 'neonpro/web:1.1.0', 'debug'));
    expect((await infra(v1, { mode: 'apply', 'database-url': db }, { runId: '8001' })).exitCode).toBe(0);
    expect((await infra(v2, { mode: 'apply', 'database-url': db }, { runId: '8002' })).exitCode).toBe(0);
    expect(image('undo-web')).toBe('neonpro/web:1.1.0');
    const undo = { mode: 'undo', manifests: '', 'rollout-undo': 'deployment/undo-web', 'database-url': db };
    const first = await infra(v2, undo, { runId: '8002' });
    expect(errors(first)).toEqual([]);
    expect(first.outputs.result).toBe('undone');
    expect(image('undo-web')).toBe('neonpro/web:1.0.0');
    expect(
      k8s.get('Deployment', 'undo-web', 'neonpro')?.metadata.annotations?.[
        'deployment.kubernetes.io/revision'
      ],
    ).toBe('3');
    const before = k8s.writes().length;
    const again = await infra(v2, undo, { runId: '8002', runAttempt: 2 });
    expect(again.exitCode).toBe(0);
    expect(again.outputs.result).toBe('already-undone');
    // A second rollout undo would have gone back to 1.1.0.
    expect(image('undo-web')).toBe('neonpro/web:1.0.0');
    expect(writesSince(before)).toEqual([]);
  });

  it('undoes by re-applying the previous manifests', async () => {
    const v1 = workspace(manifests('reapply-web', 'neonpro/web:1.0.0', 'info'));
    const v2 = workspace(manifests('reapply-web', 'neonpro/web:1.1.0', 'debug'));
    expect((await infra(v2, { mode: 'apply' })).exitCode).toBe(0);
    const run = await infra(v1, { mode: 'undo' });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('undone');
    expect(image('reapply-web')).toBe('neonpro/web:1.0.0');
    expect(k8s.get('ConfigMap', 'reapply-web-monitoring', 'neonpro')?.data).toEqual({ level: 'info' });
  });

  it('runs another tool in the same slot with the kubeconfig as KUBECONFIG: mode 0600 under RUNNER_TEMP, gone after', async () => {
    const ws = workspace({});
    const run = await infra(ws, {
      mode: 'apply',
      manifests: '',
      'apply-command': 'sh -c "stat -c %a:%n \\"$KUBECONFIG\\""',
    });
    expect(errors(run)).toEqual([]);
    const line = run.log.find((l) => /^600:/.test(l)) ?? '';
    expect(line).toMatch(/^600:/);
    const path = line.slice(4);
    expect(path.startsWith(run.runnerTemp)).toBe(true);
    expect(path.startsWith(ws)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(kubeDirs(run)).toEqual([]);
  });

  it('removes the kubeconfig when the step fails', async () => {
    const ws = workspace({});
    const run = await infra(ws, { mode: 'apply', manifests: '', 'apply-command': 'sh -c "exit 3"' });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toContain('exit 3');
    expect(kubeDirs(run)).toEqual([]);
  });
});

describe('infra-change bad input: one ::error, exit 1, nothing changed', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'a missing manifest',
      { manifests: 'k8s/security' },
      /Input "manifests": "k8s\/security" does not exist/,
    ],
    [
      'a manifest outside the workspace',
      { manifests: '../../../../etc/passwd' },
      /Input "manifests": .* is outside the workspace/,
    ],
    [
      'a kubeconfig that is not one',
      { kubeconfig: 'just-a-token-123' },
      /Input "kubeconfig": it names no cluster/,
    ],
    ['an unknown mode', { mode: 'destroy' }, /Input "mode": "destroy" is not one of plan, apply, undo/],
    [
      'undo with nothing to undo',
      { mode: 'undo', manifests: '' },
      /Input "rollout-undo": mode undo has nothing to undo/,
    ],
  ];
  it.each(cases)('%s', async (_name, inputs, message) => {
    const ws = workspace(manifests('bad-web', 'neonpro/web:1.0.0', 'info'));
    const before = k8s.writes().length;
    const run = await infra(ws, { mode: 'apply', ...inputs });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toMatch(message);
    expect(run.stdout).not.toMatch(/\n\s+at /);
    expect(writesSince(before)).toEqual([]);
    expect(k8s.get('Deployment', 'bad-web', 'neonpro')).toBeUndefined();
    expect(kubeDirs(run)).toEqual([]);
  });
});
