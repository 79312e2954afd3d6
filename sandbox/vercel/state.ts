/**
 * The emulator's in-memory world: uploaded files by sha1, projects (with env vars and a production domain),
 * deployments and their build lifecycle (QUEUED → BUILDING → READY | ERROR | CANCELED on timers), and alias
 * moves (production deploys, promote, rollback). No HTTP here: routes.ts maps requests onto these methods.
 */
import { createHash, randomBytes } from 'node:crypto';

export type ReadyState = 'QUEUED' | 'BUILDING' | 'READY' | 'ERROR' | 'CANCELED';
export type AliasMoveFault = 'alias-not-moved' | 'failed' | 'stuck';

export interface DeploymentRecord {
  id: string;
  ownerId: string;
  projectId: string;
  name: string;
  /** `127.0.0.1:<port>`: the deployment's own HTTPS site. */
  url: string;
  target: 'production' | null;
  meta: Record<string, string>;
  readyState: ReadyState;
  readySubstate?: 'STAGED' | 'PROMOTED';
  autoAssignCustomDomains: boolean;
  createdAt: number;
  buildingAt?: number;
  readyAt?: number;
  canceledAt?: number;
  errorCode?: string;
  errorMessage?: string;
  /** Site path (posix, no leading slash) → sha of the uploaded file. */
  files: Map<string, string>;
  log: Array<{ type: 'stdout' | 'stderr'; text: string; created: number }>;
  gitSource?: unknown;
}

export interface EnvRecord {
  id: string;
  key: string;
  value: string;
  type: 'encrypted' | 'plain' | 'secret' | 'sensitive' | 'system';
  target: string[];
  gitBranch?: string;
  comment?: string;
  createdAt: number;
  updatedAt: number;
}

export interface AliasRequest {
  type: 'promote' | 'rollback';
  fromDeploymentId: string | null;
  toDeploymentId: string;
  jobStatus: 'pending' | 'in-progress' | 'succeeded' | 'failed' | 'skipped';
  requestedAt: number;
}

export interface ProjectRecord {
  id: string;
  name: string;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
  framework: string | null;
  envs: EnvRecord[];
  /** `127.0.0.1:<port>`: the production domain, serving `productionDeploymentId`. */
  productionDomain: string;
  productionAliasUid: string;
  productionAliasCreatedAt: number;
  productionDeploymentId: string | null;
  /** Set by a rollback, as on Vercel: production deploys stop taking the domain until a promote. */
  autoAssignPaused: boolean;
  lastAliasRequest: AliasRequest | null;
}

/** Timings (ms) of QUEUED, BUILDING, and a promote/rollback's in-progress phase; see the emulator options. */
export interface BuildSettings {
  queuedMs: number;
  buildMs: number;
  aliasMs: number;
}

export interface BuildFailure {
  message: string;
  code: string;
  log: string[];
}

/** Vercel-like ids: a prefix and 24 base62 characters. */
export function newId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (const byte of randomBytes(24)) out += alphabet[byte % alphabet.length];
  return `${prefix}${out}`;
}

export function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Opens the HTTPS listener for a site and returns its `127.0.0.1:<port>`. */
export type OpenSite = (site: { deploymentId: string } | { projectId: string }) => Promise<string>;

export class Store {
  readonly files = new Map<string, Buffer>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly deployments = new Map<string, DeploymentRecord>();
  /** Accepted uploads, and how many POST /v2/files were being answered at once (now, and at most). */
  readonly uploads = { files: 0, bytes: 0, inFlight: 0, maxInFlight: 0 };
  readonly build: BuildSettings;
  readonly buildFailures: BuildFailure[] = [];
  readonly aliasFaults: AliasMoveFault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly openSite: OpenSite;
  private readonly listeners = new Set<(d: DeploymentRecord) => void>();

  constructor(build: BuildSettings, openSite: OpenSite) {
    this.build = build;
    this.openSite = openSite;
  }

  putFile(data: Buffer): string {
    const sha = sha1(data);
    this.files.set(sha, data);
    return sha;
  }

  findProject(ownerId: string, idOrName: string): ProjectRecord | undefined {
    for (const p of this.projects.values()) {
      if (p.ownerId === ownerId && (p.id === idOrName || p.name === idOrName)) return p;
    }
    return undefined;
  }

  async createProject(
    ownerId: string,
    name: string,
    framework: string | null = null,
  ): Promise<ProjectRecord> {
    const id = newId('prj_');
    const now = Date.now();
    const project: ProjectRecord = {
      ...{ id, name, ownerId, createdAt: now, updatedAt: now, framework, envs: [] },
      ...{ productionDomain: '', productionAliasUid: newId('alias_'), productionAliasCreatedAt: now },
      ...{ productionDeploymentId: null, autoAssignPaused: false, lastAliasRequest: null },
    };
    this.projects.set(id, project);
    project.productionDomain = await this.openSite({ projectId: id });
    return project;
  }

  /** The env var a new `key` would clash with: same key and branch, an overlapping target. */
  envClash(
    p: ProjectRecord,
    key: string,
    gitBranch: string | undefined,
    target: string[],
  ): EnvRecord | undefined {
    return p.envs.find(
      (e) => e.key === key && e.gitBranch === gitBranch && e.target.some((t) => target.includes(t)),
    );
  }

  /** Adds an env var, or overwrites `existing` (an upsert). */
  putEnv(
    p: ProjectRecord,
    fields: Omit<EnvRecord, 'id' | 'createdAt' | 'updatedAt'>,
    existing?: EnvRecord,
  ): EnvRecord {
    const now = Date.now();
    const env = existing ?? { id: newId('').slice(0, 16), createdAt: now, ...fields, updatedAt: now };
    Object.assign(env, fields, { updatedAt: now });
    if (!existing) p.envs.push(env);
    return env;
  }

  /** By id, by `127.0.0.1:<port>` of its site, or by a production domain (its current deployment). */
  findDeployment(ownerId: string, idOrUrl: string): DeploymentRecord | undefined {
    const host = idOrUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    for (const d of this.deployments.values()) {
      if (d.ownerId === ownerId && (d.id === idOrUrl || d.url === host)) return d;
    }
    for (const p of this.projects.values()) {
      if (p.ownerId === ownerId && p.productionDomain === host && p.productionDeploymentId) {
        return this.deployments.get(p.productionDeploymentId);
      }
    }
    return undefined;
  }

  async createDeployment(input: {
    ownerId: string;
    project: ProjectRecord;
    name: string;
    target: 'production' | null;
    meta: Record<string, string>;
    files: Map<string, string>;
    autoAssignCustomDomains: boolean;
    gitSource?: unknown;
  }): Promise<DeploymentRecord> {
    const id = newId('dpl_');
    const fields = { id, projectId: input.project.id, url: '', createdAt: Date.now(), log: [] };
    const deployment: DeploymentRecord = { ...input, ...fields, readyState: 'QUEUED' };
    this.deployments.set(id, deployment);
    deployment.url = await this.openSite({ deploymentId: id });
    this.logLine(deployment, 'stdout', `Queued deployment ${id} (${input.files.size} files)`);
    const { queuedMs, buildMs } = this.build;
    if (queuedMs === 0 && buildMs === 0 && this.buildFailures.length === 0) {
      this.startBuilding(deployment);
      this.finishBuild(deployment);
    } else {
      this.later(queuedMs, () => {
        if (deployment.readyState !== 'QUEUED') return;
        this.startBuilding(deployment);
        this.later(buildMs, () => this.finishBuild(deployment));
      });
    }
    return deployment;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private logLine(d: DeploymentRecord, type: 'stdout' | 'stderr', text: string): void {
    d.log.push({ type, text, created: Date.now() });
  }

  private changed(d: DeploymentRecord): void {
    for (const listener of this.listeners) listener(d);
  }

  /** Calls `fn` on every state change of any deployment; returns the unsubscribe function. */
  onChange(fn: (d: DeploymentRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private startBuilding(d: DeploymentRecord): void {
    d.readyState = 'BUILDING';
    d.buildingAt = Date.now();
    this.logLine(d, 'stdout', 'Running build in Sandbox (emulated)');
    this.changed(d);
  }

  private finishBuild(d: DeploymentRecord): void {
    if (d.readyState !== 'BUILDING') return;
    const failure = this.buildFailures.shift();
    if (failure) {
      for (const line of failure.log) this.logLine(d, 'stderr', line);
      this.logLine(d, 'stderr', `Error: ${failure.message}`);
      d.readyState = 'ERROR';
      d.errorCode = failure.code;
      d.errorMessage = failure.message;
      this.changed(d);
      return;
    }
    this.logLine(d, 'stdout', 'Build Completed');
    d.readyState = 'READY';
    d.readyAt = Date.now();
    const project = this.projects.get(d.projectId);
    if (d.target === 'production' && project) {
      if (d.autoAssignCustomDomains && !project.autoAssignPaused) this.moveProduction(project, d);
      else d.readySubstate = 'STAGED';
    }
    this.changed(d);
  }

  cancel(d: DeploymentRecord): boolean {
    if (d.readyState !== 'QUEUED' && d.readyState !== 'BUILDING') return false;
    d.readyState = 'CANCELED';
    d.canceledAt = Date.now();
    this.logLine(d, 'stdout', 'Deployment canceled');
    this.changed(d);
    return true;
  }

  private moveProduction(project: ProjectRecord, d: DeploymentRecord): void {
    project.productionDeploymentId = d.id;
    project.productionAliasCreatedAt = Date.now();
    project.updatedAt = Date.now();
    d.readySubstate = 'PROMOTED';
  }

  /**
   * Why promote/rollback to `d` is refused (the emulator's rules; Vercel's exact codes are not documented),
   * or undefined when it may proceed.
   */
  aliasMoveProblem(
    project: ProjectRecord,
    d: DeploymentRecord,
  ): { code: string; message: string } | undefined {
    if (d.projectId !== project.id) {
      return { code: 'invalid_deployment', message: `Deployment ${d.id} does not belong to ${project.name}` };
    }
    if (d.readyState !== 'READY') {
      return { code: 'deployment_not_ready', message: `Deployment ${d.id} is ${d.readyState}, not READY` };
    }
    if (d.target !== 'production') {
      return {
        code: 'not_production_deployment',
        message:
          'Only production deployments can be promoted or rolled back to; redeploy with target production',
      };
    }
    return undefined;
  }

  /** Starts a promote/rollback; the alias moves after `aliasMs` unless an alias fault is armed. */
  requestAliasMove(project: ProjectRecord, d: DeploymentRecord, type: AliasRequest['type']): void {
    const request: AliasRequest = {
      type,
      fromDeploymentId: project.productionDeploymentId,
      toDeploymentId: d.id,
      jobStatus: 'in-progress',
      requestedAt: Date.now(),
    };
    project.lastAliasRequest = request;
    const fault = this.aliasFaults.shift();
    const finish = (): void => {
      if (project.lastAliasRequest !== request) return;
      if (fault === 'stuck') return;
      if (fault === 'failed') {
        request.jobStatus = 'failed';
        return;
      }
      if (fault !== 'alias-not-moved') this.moveProduction(project, d);
      project.autoAssignPaused = type === 'rollback';
      request.jobStatus = 'succeeded';
      this.changed(d);
    };
    if (this.build.aliasMs === 0) finish();
    else this.later(this.build.aliasMs, finish);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }
}
