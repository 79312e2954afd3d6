import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ActionRun, REPO_ROOT, runBundle } from '../../sandbox/runner/run-bundle.js';
import { playbookWiring } from '../../scripts/generate-wiring.mjs';
import { pinActions } from '../../scripts/release.mjs';
import { PLAYBOOK_WIRING } from '../../src/plan/generated/playbook-wiring.js';
import { workspace } from '../policy/helpers.js';
import { ageKey } from '../support/age-key.js';

// plan, from its committed bundle, on a caller's checkout: the wiring of every job after the approval,
// checked before it. Each bad wiring is one ::error naming the workflow input or secret, exit 1.
const ACTION = 'actions/plan/dist/index.js';
const runs: ActionRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.cleanup()));
});

const SECRETS = Object.keys(PLAYBOOK_WIRING.secrets);
const BEARER_CHECKS = 'checks:\n  - name: Patients\n    url: /api/patients\n    auth: bearer\n';

/** A caller's checkout as the playbook's jobs see it: migrations, the compliance manifest, a checks file. */
function checkout(files: Record<string, unknown> = {}): string {
  const ws = workspace({
    'db/migrations/20260301000000_consents.sql': '-- migrate:up\nCREATE TABLE consents (id int);\n',
    'checks.yml': readFileSync(join(REPO_ROOT, 'examples/post-validate/checks.yml'), 'utf8'),
    ...files,
  });
  mkdirSync(join(ws, '.github'), { recursive: true });
  cpSync(join(REPO_ROOT, 'examples/compliance/compliance.json'), join(ws, '.github/compliance.json'));
  return ws;
}

/** The playbook's defaults, with what the caller gives. */
function workflowInputs(given: Record<string, unknown>): string {
  const defaults = Object.fromEntries(
    Object.entries(PLAYBOOK_WIRING.inputs).map(([name, spec]) => [
      name,
      spec.type === 'boolean' ? spec.default === 'true' : spec.default,
    ]),
  );
  return JSON.stringify({ ...defaults, 'vercel-project': 'neonpro-web', checks: 'checks.yml', ...given });
}

const SIGN_OFF = [
  'roles:',
  '  - name: Medical director',
  '    environment: production-medical-director',
  '  - name: Compliance officer',
  '    environment: production-compliance-officer',
  '  - name: CTO',
  '    environment: production-cto',
  '',
].join('\n');
const ROLES = [
  { role: 'Medical director', environment: 'production-medical-director' },
  { role: 'Compliance officer', environment: 'production-compliance-officer' },
  { role: 'CTO', environment: 'production-cto' },
];

const GOOD_SECRETS = { VERCEL_TOKEN: true, PRODUCTION_DATABASE_URL: true, BACKUP_PASSPHRASE: true };

async function plan(opts: {
  inputs?: Record<string, unknown>;
  secrets?: Record<string, boolean>;
  files?: Record<string, unknown>;
  ws?: string;
}) {
  const set = { ...GOOD_SECRETS, ...opts.secrets } as Record<string, boolean>;
  const run = await runBundle({
    action: ACTION,
    workspace: opts.ws ?? checkout(opts.files),
    stepId: 'plan',
    inputs: {
      'workflow-inputs': workflowInputs(opts.inputs ?? {}),
      'secrets-set': SECRETS.map((name) => `${name}=${set[name] === true}`).join('\n'),
    },
  });
  runs.push(run);
  return { run, errors: run.annotations.filter((a) => a.level === 'error').map((a) => a.message) };
}

/** Exactly one ::error, naming `target`, and exit code 1. */
async function expectOneProblem(target: string, opts: Parameters<typeof plan>[0], also?: RegExp) {
  const { run, errors } = await plan(opts);
  expect(errors, run.stdout).toHaveLength(1);
  expect(errors[0]).toContain(target);
  if (also) expect(errors[0]).toMatch(also);
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(/1 wiring problem\(s\): nothing was deployed or changed/);
  return errors[0] ?? '';
}

describe('plan', () => {
  it('passes a good wiring, with one summary line', async () => {
    const { run, errors } = await plan({});
    expect(errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Wiring checked:');
    expect(run.summary).toContain('Wiring checked:');
  });

  it('passes backup-recipients with BACKUP_IDENTITY, and bearer checks with VALIDATION_TOKEN', async () => {
    const key = await ageKey();
    const { run, errors } = await plan({
      inputs: { 'backup-recipients': key.recipient, checks: 'bearer.yml' },
      secrets: { BACKUP_PASSPHRASE: false, BACKUP_IDENTITY: true, VALIDATION_TOKEN: true },
      files: { 'bearer.yml': BEARER_CHECKS },
    });
    expect(errors).toEqual([]);
    expect(run.exitCode).toBe(0);
  });

  it('refuses a bad duration with the action’s own check, naming the workflow input', async () => {
    const message = await expectOneProblem('Workflow input max-approval-age', {
      inputs: { 'max-approval-age': '4 hours' },
    });
    expect(message).toContain('"4 hours" is not a duration');
    expect(message).toMatch(/e\.g\. 500ms, 30s, 5m or 4h/);
  });

  it('refuses a bad URL', async () => {
    await expectOneProblem('Workflow input production-url', {
      inputs: { 'production-url': 'javascript:alert(1)' },
    });
  });

  it('refuses a checks file that does not exist', async () => {
    await expectOneProblem('Workflow input checks', { inputs: { checks: 'no/such/checks.yml' } });
  });

  it('refuses a checks file that does not parse', async () => {
    await expectOneProblem('Workflow input checks', {
      inputs: { checks: 'broken.yml' },
      files: { 'broken.yml': 'checks: [ {name: "x", url: /health\n' },
    });
  });

  it('refuses a checks file outside the repository', async () => {
    await expectOneProblem(
      'Workflow input checks',
      { inputs: { checks: '../../etc/passwd' } },
      /leaves the repository/,
    );
  });

  it('asks for VALIDATION_TOKEN when the checks send it (the default checks do)', async () => {
    await expectOneProblem('Workflow secret VALIDATION_TOKEN', { inputs: { checks: '' } });
  });

  it('refuses backup-recipients without BACKUP_IDENTITY', async () => {
    const key = await ageKey();
    await expectOneProblem(
      'Workflow secret BACKUP_IDENTITY',
      { inputs: { 'backup-recipients': key.recipient }, secrets: { BACKUP_PASSPHRASE: false } },
      /backup-recipients are given/,
    );
  });

  it('refuses no backup key at all', async () => {
    await expectOneProblem('Workflow secret BACKUP_PASSPHRASE', { secrets: { BACKUP_PASSPHRASE: false } });
  });

  it('refuses an empty VERCEL_TOKEN', async () => {
    await expectOneProblem('Workflow secret VERCEL_TOKEN', { secrets: { VERCEL_TOKEN: false } });
  });

  it('refuses migrate: prisma without migrate-command: the db job installs only dbmate', async () => {
    await expectOneProblem(
      'Workflow input migrate-command',
      { inputs: { migrate: 'prisma' } },
      /installs only dbmate/,
    );
  });

  it('refuses migrate: auto on a checkout with no migrations', async () => {
    const ws = workspace({ 'checks.yml': 'checks:\n  - name: Health\n    url: /health\n' });
    mkdirSync(join(ws, '.github'), { recursive: true });
    cpSync(join(REPO_ROOT, 'examples/compliance/compliance.json'), join(ws, '.github/compliance.json'));
    await expectOneProblem(
      'Workflow input migrate',
      { ws },
      /no prisma\/schema.prisma, db\/migrations or migrations/,
    );
  });

  it('refuses backup-storage path without backup-path', async () => {
    await expectOneProblem('Workflow input backup-path', { inputs: { 'backup-storage': 'path' } });
  });

  it('refuses a value with a line break, and it starts no workflow command', async () => {
    const { run } = await plan({ inputs: { environment: 'production\n::warning::injected by an input' } });
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('Workflow input environment');
    expect(run.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    expect(run.exitCode).toBe(1);
  });

  it('refuses a compliance manifest that does not parse, and a rollback hooks file with an open quote', async () => {
    const { run, errors } = await plan({
      inputs: { 'compliance-manifest': 'manifest.json', 'rollback-hooks-file': 'hooks.txt' },
      files: {
        'manifest.json': '{"lgpd": ',
        'hooks.txt': '# on rollback\nkubectl rollout undo "deployment/web\n',
      },
    });
    expect(errors).toHaveLength(2);
    expect(errors.find((e) => e.startsWith('Workflow input compliance-manifest'))).toBeDefined();
    expect(errors.find((e) => e.startsWith('Workflow input rollback-hooks-file'))).toBeDefined();
    expect(run.stdout).toMatch(/2 wiring problem\(s\)/);
    expect(run.exitCode).toBe(1);
  });

  it('reports every problem in one run, one ::error per workflow input, and changes nothing', async () => {
    const ws = checkout();
    const before = readFileSync(join(ws, 'checks.yml'), 'utf8');
    const { run, errors } = await plan({
      ws,
      inputs: { 'max-approval-age': '4 hours', 'production-url': 'ftp://x', waivers: 'nope.yml' },
      secrets: { VERCEL_TOKEN: false },
    });
    expect(errors.map((e) => /^Workflow (?:input|secret) \S+/.exec(e)?.[0]).sort()).toEqual([
      'Workflow input max-approval-age',
      'Workflow input production-url',
      'Workflow input waivers',
      'Workflow secret VERCEL_TOKEN',
    ]);
    expect(run.exitCode).toBe(1);
    expect(readFileSync(join(ws, 'checks.yml'), 'utf8')).toBe(before);
  });

  it('outputs the roles of the workflow input sign-off for the sign-off matrix, [] without one', async () => {
    const { run, errors } = await plan({
      inputs: { 'sign-off': '.github/deploy-gates/sign-off.yml' },
      files: { '.github/deploy-gates/sign-off.yml': SIGN_OFF },
    });
    expect(errors).toEqual([]);
    expect(JSON.parse(run.outputs['sign-off-roles'] ?? '')).toEqual(ROLES);
    expect(run.summary).toContain(
      'Sign-off (.github/deploy-gates/sign-off.yml): Medical director through production-medical-director, Compliance officer through production-compliance-officer, CTO through production-cto; each role is asked at once.',
    );
    const without = await plan({});
    expect(without.run.outputs['sign-off-roles']).toBe('[]');
  });

  it('refuses a bad sign-off file before the approval, naming the workflow input', async () => {
    await expectOneProblem(
      'Workflow input sign-off',
      {
        inputs: { 'sign-off': 'sign-off.yml' },
        files: { 'sign-off.yml': 'roles:\n  - name: CTO\n    environment: production-cto\n    quorum: 2\n' },
      },
      /roles\[0\] has an unknown key "quorum"/,
    );
  });

  it('reads a sign-off file alone (rollback.yml), and refuses one given beside workflow-inputs', async () => {
    const ws = checkout({ 'emergency.yml': SIGN_OFF });
    const alone = await runBundle({ action: ACTION, workspace: ws, inputs: { 'sign-off': 'emergency.yml' } });
    runs.push(alone);
    expect(alone.exitCode, alone.stdout).toBe(0);
    expect(JSON.parse(alone.outputs['sign-off-roles'] ?? '')).toEqual(ROLES);
    const both = await runBundle({
      action: ACTION,
      workspace: ws,
      inputs: { 'sign-off': 'emergency.yml', 'workflow-inputs': workflowInputs({}), 'secrets-set': '' },
    });
    runs.push(both);
    const errors = both.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Input "sign-off": is given with workflow-inputs/);
    expect(both.exitCode).toBe(1);
  });

  it('checks the communication plan before the approval: the channels file, and each listed channel’s secret', async () => {
    const files = { 'notify.yml': 'channels:\n  slack: {}\n  statuspage: {}\n' };
    const inputs = { 'notify-channels': 'notify.yml' };
    const all = { SLACK_WEBHOOK_URL: true, STATUSPAGE_API_KEY: true, STATUSPAGE_PAGE_ID: true };
    const good = await plan({ inputs, files, secrets: all });
    expect(good.errors).toEqual([]);
    expect(good.run.exitCode).toBe(0);
    await expectOneProblem(
      'Workflow secret STATUSPAGE_PAGE_ID',
      { inputs, files, secrets: { ...all, STATUSPAGE_PAGE_ID: false } },
      /lists the channel statuspage/,
    );
    await expectOneProblem(
      'Workflow input notify-channels',
      { inputs, files: { 'notify.yml': 'channels:\n  pager: {}\n' }, secrets: all },
      /unknown channel "pager"/,
    );
  });

  it('checks the infrastructure step before the approval: manifests, workloads, both kubeconfigs; nothing without infra-manifests', async () => {
    const files = {
      'k8s/web.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "web:2"}]}\n',
    };
    const inputs = {
      'infra-manifests': 'k8s',
      'infra-namespace': 'neonpro',
      'infra-rollout-undo': 'deployment/web',
    };
    const kubeconfigs = { KUBECONFIG: true, PREFLIGHT_KUBECONFIG: true };
    const good = await plan({ inputs, files, secrets: kubeconfigs });
    expect(good.errors).toEqual([]);
    expect(good.run.exitCode).toBe(0);
    await expectOneProblem(
      'Workflow input infra-manifests',
      { inputs: { ...inputs, 'infra-manifests': 'k8s/missing.yaml' }, files, secrets: kubeconfigs },
      /k8s\/missing\.yaml/,
    );
    await expectOneProblem(
      'Workflow input infra-rollout-undo',
      { inputs: { ...inputs, 'infra-rollout-undo': 'web' }, files, secrets: kubeconfigs },
      /is not a workload/,
    );
    // The plan's kubeconfig (before the approval) and the apply's (after it): each one named.
    const none = await plan({ inputs, files });
    expect(none.errors).toEqual([
      expect.stringContaining('Workflow secret PREFLIGHT_KUBECONFIG'),
      expect.stringContaining('Workflow secret KUBECONFIG'),
    ]);
    expect(none.run.exitCode).toBe(1);
    // No infra-manifests: the infrastructure steps are skipped, so neither secret is asked for; a
    // rollout undo given anyway would never run, and says so.
    const without = await plan({ inputs: { 'infra-rollout-undo': 'deployment/web' }, files });
    expect(without.errors).toEqual([
      expect.stringMatching(
        /^Workflow input infra-rollout-undo .*without infra-manifests.*Give infra-manifests/,
      ),
    ]);
    expect(without.run.exitCode).toBe(1);
    const neither = await plan({ files });
    expect(neither.errors).toEqual([]);
  });

  it('refuses workflow-inputs that are not JSON, naming plan’s own input', async () => {
    const run = await runBundle({
      action: ACTION,
      workspace: checkout(),
      inputs: { 'workflow-inputs': '{not json', 'secrets-set': 'VERCEL_TOKEN=true' },
    });
    runs.push(run);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('workflow-inputs');
    expect(run.exitCode).toBe(1);
  });
});

// The wiring plan checks is read from playbook.yml at build time (scripts/generate-wiring.mjs), so it
// cannot drift: every `${{ inputs.X }}` a later job gives an action is in it, with the right action and
// input, and nothing else is.
describe('the wiring plan checks is the playbook’s', () => {
  const playbook = parse(readFileSync(join(REPO_ROOT, '.github/workflows/playbook.yml'), 'utf8')) as {
    jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
  };
  const fromYaml = (filter: (job: string) => boolean) =>
    Object.entries(playbook.jobs)
      .filter(([job]) => filter(job))
      .flatMap(([job, spec]) =>
        (spec.steps ?? []).flatMap((step) => {
          const action = /^neonpro\/deploy-gates\/actions\/([a-z-]+)@/.exec(step.uses ?? '')?.[1];
          return action
            ? Object.entries(step.with ?? {}).flatMap(([input, value]) => {
                const m = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(String(value));
                return m ? [`${job} ${action} ${input} <- ${m[1]}`] : [];
              })
            : [];
        }),
      )
      .sort();
  const fromWiring = () =>
    PLAYBOOK_WIRING.steps
      .flatMap((step) =>
        Object.entries(step.with).flatMap(([input, value]) => {
          const m = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(value);
          return m ? [`${step.job} ${step.action} ${input} <- ${m[1]}`] : [];
        }),
      )
      .sort();

  it('every with: value inputs.X of the jobs after plan is in the wiring, and vice versa', () => {
    const expected = fromYaml((job) => job !== 'plan');
    expect(expected.length).toBeGreaterThan(30);
    expect(fromWiring()).toEqual(expected);
    expect(expected).toContain('db approval-check max-approval-age <- max-approval-age');
    expect(expected).toContain('validate post-validate checks <- checks');
  });

  it('the release commit pins plan with the other actions, and its pinned playbook gives the same wiring', () => {
    const text = readFileSync(join(REPO_ROOT, '.github/workflows/playbook.yml'), 'utf8');
    const pinned = pinActions(text, 'a'.repeat(40)).text;
    expect(pinned).toMatch(/uses: neonpro\/deploy-gates\/actions\/plan@a{40} # was v1/);
    expect(playbookWiring(pinned)).toEqual(PLAYBOOK_WIRING);
  });

  it('plan is told about every secret the playbook declares', () => {
    const text = readFileSync(join(REPO_ROOT, '.github/workflows/playbook.yml'), 'utf8');
    for (const name of SECRETS) expect(text).toContain(`${name}=\${{ secrets.${name} != '' }}`);
  });

  it('the plan job gives plan toJSON(inputs) through with:, and no run: step reads an input', () => {
    const steps = (playbook.jobs.plan?.steps ?? []) as {
      uses?: string;
      run?: string;
      with?: Record<string, string>;
    }[];
    const step = steps.find((s) => s.uses?.startsWith('neonpro/deploy-gates/actions/plan@'));
    expect(step?.with?.['workflow-inputs']).toBe(`\${{ toJSON(inputs) }}`);
    expect(steps.filter((s) => s.run)).toEqual([]);
  });
});
