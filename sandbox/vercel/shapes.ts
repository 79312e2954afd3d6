/**
 * The JSON bodies the emulator answers with, shaped like Vercel's so @vercel/sdk's zod schemas accept them
 * (missing objects/arrays and unknown enum values fail there) and @vercel/client's polling ends
 * (READY with a boolean `aliasAssigned`).
 */
import { createHash } from 'node:crypto';
import type { DeploymentRecord, EnvRecord, ProjectRecord, Store } from './state.js';

export const CREATOR = { uid: 'user_sandbox', username: 'sandbox', email: 'sandbox@example.test' };

function inspectorUrl(d: DeploymentRecord): string {
  return `https://vercel.com/sandbox/${d.name}/${d.id.slice(4)}`;
}

/** Aliases that currently point at `d` (its project's production domain when it is live). */
export function aliasesOf(store: Store, d: DeploymentRecord): string[] {
  const project = store.projects.get(d.projectId);
  return project?.productionDeploymentId === d.id ? [project.productionDomain] : [];
}

function aliasAssigned(d: DeploymentRecord): boolean {
  return d.readyState === 'READY';
}

/** GET /v13/deployments/{id} and the POST /v13/deployments answer. */
export function deploymentJson(store: Store, d: DeploymentRecord): Record<string, unknown> {
  const assigned = aliasAssigned(d);
  return {
    id: d.id,
    name: d.name,
    url: d.url,
    projectId: d.projectId,
    ownerId: d.ownerId,
    team: d.ownerId.startsWith('team_') ? { id: d.ownerId, name: 'Sandbox', slug: 'sandbox' } : undefined,
    readyState: d.readyState,
    status: d.readyState,
    readySubstate: d.readySubstate,
    target: d.target,
    meta: d.meta,
    alias: aliasesOf(store, d),
    aliasAssigned: assigned,
    aliasAssignedAt: assigned ? (d.readyAt ?? null) : null,
    aliasError: null,
    autoAssignCustomDomains: d.autoAssignCustomDomains,
    bootedAt: d.createdAt,
    buildingAt: d.buildingAt ?? d.createdAt,
    buildSkipped: false,
    isInConcurrentBuildsQueue: false,
    isInSystemBuildsQueue: false,
    public: false,
    routes: null,
    version: 2,
    build: { env: [] },
    env: [],
    createdAt: d.createdAt,
    createdIn: 'iad1',
    ready: d.readyAt,
    canceledAt: d.canceledAt,
    errorCode: d.errorCode,
    errorMessage: d.errorMessage,
    creator: CREATOR,
    inspectorUrl: inspectorUrl(d),
    plan: 'pro',
    regions: ['iad1'],
    type: 'LAMBDAS',
    projectSettings: {},
    gitSource: d.gitSource,
  };
}

/** One item of GET /v6|v7/deployments. */
export function deploymentListItem(store: Store, d: DeploymentRecord): Record<string, unknown> {
  const project = store.projects.get(d.projectId);
  return {
    uid: d.id,
    name: d.name,
    url: d.url,
    created: d.createdAt,
    createdAt: d.createdAt,
    buildingAt: d.buildingAt,
    ready: d.readyAt,
    state: d.readyState,
    readyState: d.readyState,
    readySubstate: d.readySubstate,
    type: 'LAMBDAS',
    target: d.target,
    projectId: d.projectId,
    meta: d.meta,
    creator: CREATOR,
    inspectorUrl: inspectorUrl(d),
    aliasAssigned: aliasAssigned(d),
    aliasError: null,
    errorCode: d.errorCode,
    errorMessage: d.errorMessage,
    source: 'cli',
    isRollbackCandidate:
      d.target === 'production' && d.readyState === 'READY' && project?.productionDeploymentId !== d.id,
  };
}

/** `latestDeployments` / `targets.production` entries inside a project. */
function projectDeployment(store: Store, d: DeploymentRecord): Record<string, unknown> {
  return {
    id: d.id,
    url: d.url,
    name: d.name,
    alias: aliasesOf(store, d),
    aliasAssigned: d.readyAt ?? null,
    aliasError: null,
    createdAt: d.createdAt,
    createdIn: 'iad1',
    creator: CREATOR,
    meta: d.meta,
    plan: 'pro',
    private: true,
    deploymentHostname: d.url,
    readyState: d.readyState,
    readySubstate: d.readySubstate,
    target: d.target,
    teamId: d.ownerId.startsWith('team_') ? d.ownerId : null,
    type: 'LAMBDAS',
    userId: CREATOR.uid,
    buildingAt: d.buildingAt,
    readyAt: d.readyAt,
  };
}

export function projectJson(store: Store, p: ProjectRecord): Record<string, unknown> {
  const own = [...store.deployments.values()]
    .filter((d) => d.projectId === p.id)
    .sort((a, b) => b.createdAt - a.createdAt);
  const production = p.productionDeploymentId ? store.deployments.get(p.productionDeploymentId) : undefined;
  return {
    id: p.id,
    name: p.name,
    accountId: p.ownerId,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    framework: p.framework,
    nodeVersion: '22.x',
    directoryListing: false,
    alias: [],
    defaultResourceConfig: { functionDefaultRegions: ['iad1'] },
    resourceConfig: { functionDefaultRegions: ['iad1'] },
    deploymentExpiration: {},
    latestDeployments: own.slice(0, 5).map((d) => projectDeployment(store, d)),
    targets: production ? { production: projectDeployment(store, production) } : {},
    lastAliasRequest: p.lastAliasRequest,
  };
}

function encrypt(value: string): string {
  return createHash('sha256').update(`sandbox:${value}`).digest('base64');
}

/** Env var as listed: `encrypted` values are opaque unless decrypted, `sensitive` ones never shown. */
export function envJson(e: EnvRecord, decrypt: boolean): Record<string, unknown> {
  let value = e.value;
  if (e.type === 'sensitive') value = '';
  else if ((e.type === 'encrypted' || e.type === 'secret') && !decrypt) value = encrypt(e.value);
  return {
    id: e.id,
    key: e.key,
    value,
    type: e.type,
    target: e.target,
    gitBranch: e.gitBranch,
    comment: e.comment,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    decrypted: decrypt && e.type !== 'sensitive',
    securityIssues: [],
  };
}

/** GET /v4/aliases/{idOrAlias} for a project's production domain. */
export function aliasJson(store: Store, p: ProjectRecord): Record<string, unknown> {
  const d = p.productionDeploymentId ? store.deployments.get(p.productionDeploymentId) : undefined;
  return {
    uid: p.productionAliasUid,
    alias: p.productionDomain,
    created: new Date(p.productionAliasCreatedAt).toISOString(),
    createdAt: p.productionAliasCreatedAt,
    updatedAt: p.productionAliasCreatedAt,
    creator: CREATOR,
    deploymentId: d?.id ?? null,
    deployment: d ? { id: d.id, url: d.url, meta: JSON.stringify(d.meta) } : undefined,
    projectId: p.id,
    redirect: null,
    redirectStatusCode: null,
  };
}

/** Build log as GET /v3/deployments/{id}/events returns it. */
export function eventsJson(d: DeploymentRecord): Record<string, unknown>[] {
  return d.log.map((line, serial) => {
    const info = { type: 'build', name: 'bld_sandbox', entrypoint: '.' };
    const id = `${d.id}-${serial}`;
    const payload = {
      deploymentId: d.id,
      id,
      date: line.created,
      serial: String(serial),
      text: line.text,
      info,
    };
    return { type: line.type, created: line.created, payload };
  });
}
