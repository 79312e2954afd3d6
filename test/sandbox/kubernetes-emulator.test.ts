import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubernetesEmulator, startKubernetesEmulator } from '../../sandbox/kubernetes/emulator.js';

// Contract: the real kubectl (from PATH; Debian's kubernetes-client in CI) against the sandbox's Kubernetes
// API, for the four commands infra-change runs.
let k8s: KubernetesEmulator;
let dir: string;

beforeAll(async () => {
  k8s = await startKubernetesEmulator({ namespaces: ['neonpro'] });
  dir = mkdtempSync(join(tmpdir(), 'dg-k8s-'));
  writeFileSync(join(dir, 'config'), k8s.kubeconfig('neonpro'));
});
afterAll(async () => {
  await k8s?.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      'kubectl',
      ['--kubeconfig', join(dir, 'config'), ...args],
      { cwd: dir, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

function deployment(file: string, image: string, env: string): void {
  writeFileSync(
    join(dir, file),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: neonpro
  labels: {app: api}
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ${image}
        env:
        - {name: MODE, value: ${env}}
        - {name: REGION, value: sa-east-1}
      - name: sidecar
        image: envoy:1.0
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: neonpro
spec:
  selector: {app: api}
  ports:
  - {port: 80, targetPort: 3000}
`,
  );
}

const container = (name: string) =>
  (
    k8s.get('Deployment', 'api', 'neonpro')?.spec as {
      template: {
        spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] };
      };
    }
  )?.template.spec.containers.find((c) => c.name === name);

describe('kubectl against the sandbox Kubernetes API', () => {
  it('apply --dry-run=server checks with dryRun=All and stores nothing', async () => {
    deployment('v1.yaml', 'api:1', 'a');
    const r = await kubectl('apply', '--dry-run=server', '--validate=false', '-f', 'v1.yaml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployment.apps/api created (server dry run)');
    expect(k8s.requests.filter((q) => q.method === 'POST').every((q) => q.dryRun)).toBe(true);
    expect(k8s.get('Deployment', 'api', 'neonpro')).toBeUndefined();
  });

  it('apply creates, and diff then shows no differences (exit 0)', async () => {
    expect((await kubectl('apply', '--validate=false', '-f', 'v1.yaml')).code).toBe(0);
    expect(container('api')?.image).toBe('api:1');
    expect(k8s.get('Service', 'api', 'neonpro')).toBeDefined();
    const d = await kubectl('diff', '-f', 'v1.yaml');
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
  });

  it('diff shows a change (exit 1) and apply patches it as a strategic merge, list items merged by name', async () => {
    deployment('v2.yaml', 'api:2', 'b');
    const writes = k8s.writes().length;
    const d = await kubectl('diff', '-f', 'v2.yaml');
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/-\s+image: api:1/);
    expect(d.stdout).toMatch(/\+\s+image: api:2/);
    expect(k8s.writes().length).toBe(writes);
    expect((await kubectl('apply', '--validate=false', '-f', 'v2.yaml')).code).toBe(0);
    expect(k8s.writes().some((w) => w.contentType.startsWith('application/strategic-merge-patch+json'))).toBe(
      true,
    );
    expect(container('api')?.image).toBe('api:2');
    expect(container('api')?.env).toEqual([
      { name: 'MODE', value: 'b' },
      { name: 'REGION', value: 'sa-east-1' },
    ]);
    expect(container('sidecar')?.image).toBe('envoy:1.0');
    expect(
      k8s.get('Deployment', 'api', 'neonpro')?.metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('2');
  });

  it('rollout undo goes back to the previous revision with a JSON patch, and again to the one before', async () => {
    const r = await kubectl('rollout', 'undo', 'deployment/api');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('rolled back');
    expect(k8s.writes().at(-1)?.contentType).toMatch(/^application\/json-patch\+json/);
    expect(container('api')?.image).toBe('api:1');
    expect(
      k8s.get('Deployment', 'api', 'neonpro')?.metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('3');
    expect((await kubectl('rollout', 'undo', 'deployment/api')).code).toBe(0);
    expect(container('api')?.image).toBe('api:2');
  });

  it('answers a missing object and namespace as the API does', async () => {
    const r = await kubectl('rollout', 'undo', 'deployment/nothing');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not found');
    writeFileSync(
      join(dir, 'elsewhere.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n',
    );
    const a = await kubectl('apply', '--validate=false', '-f', 'elsewhere.yaml');
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain('namespaces "nowhere" not found');
  });
});
