/**
 * A local Kubernetes API that the real kubectl accepts for `apply` (client-side, with --dry-run=server),
 * `diff` and `rollout undo deployment/<name>`: legacy discovery (/version, /api, /apis and their group
 * versions), GET/LIST/POST/PUT/PATCH/DELETE of Namespaces, ConfigMaps, Secrets, Services, Deployments and
 * ReplicaSets with `dryRun=All`, the three patch kinds kubectl sends, and a deployment controller that keeps
 * one ReplicaSet per pod template with its `deployment.kubernetes.io/revision`, so that `rollout undo`
 * finds the previous revision. An OpenAPI document with just what kubectl's dry-run check reads (so kubectl is run
 * with --validate=false), no watch, no
 * auth (kubectl sends no credentials over plain HTTP). Plain HTTP on 127.0.0.1.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openApiV2 } from './openapi.js';
import { jsonPatch, mergePatch, normalized, sameJson, strategicMerge } from './patch.js';

type Obj = Record<string, unknown>;
interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Obj[];
}
export interface KubeObject extends Obj {
  apiVersion: string;
  kind: string;
  metadata: Meta;
}

interface Resource {
  group: string;
  version: string;
  name: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
}

const RESOURCES: Resource[] = [
  {
    group: '',
    version: 'v1',
    name: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  },
  {
    group: '',
    version: 'v1',
    name: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  { group: '', version: 'v1', name: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
  {
    group: '',
    version: 'v1',
    name: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
  },
  {
    group: 'apps',
    version: 'v1',
    name: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
  },
  {
    group: 'apps',
    version: 'v1',
    name: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
  },
];
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];
const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

export interface RequestLogEntry {
  method: string;
  path: string;
  dryRun: boolean;
  contentType: string;
  status: number;
}

export interface KubernetesEmulator {
  /** http://127.0.0.1:<port> */
  server: string;
  /** The bearer token the kubeconfig must carry. */
  token: string;
  /** A kubeconfig (YAML) for this API, namespace `default` in its context. */
  kubeconfig(namespace?: string): string;
  /** The stored object, or undefined. */
  get(kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Stores an object as a create would (a Deployment gets its ReplicaSet). */
  seed(obj: Obj): KubeObject;
  /** Every request, oldest first. */
  readonly requests: RequestLogEntry[];
  /** Writes (POST/PUT/PATCH/DELETE) that were not dry runs. */
  writes(): RequestLogEntry[];
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly body: Obj,
  ) {
    super(String(body.message));
  }
}

const clone = <T>(v: T): T => structuredClone(v);

export async function startKubernetesEmulator(
  opts: { token?: string; namespaces?: string[] } = {},
): Promise<KubernetesEmulator> {
  const token = opts.token ?? `k8s-sandbox-${randomUUID().slice(0, 12)}`;
  const store = new Map<string, KubeObject>();
  const requests: RequestLogEntry[] = [];
  let rv = 1;
  const key = (r: Resource, ns: string | undefined, name: string) =>
    `${r.name}/${r.namespaced ? ns : ''}/${name}`;
  const byKind = (kind: string) => RESOURCES.find((r) => r.kind === kind);

  function stamp(r: Resource, obj: Obj, ns: string | undefined, old?: KubeObject): KubeObject {
    const o = clone(obj) as KubeObject;
    o.apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    o.kind = r.kind;
    const meta = (o.metadata ?? {}) as Meta;
    o.metadata = meta;
    if (r.namespaced) meta.namespace = ns as string;
    else delete meta.namespace;
    meta.uid = old?.metadata.uid ?? randomUUID();
    meta.creationTimestamp =
      old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    meta.resourceVersion = String(++rv);
    delete (meta as unknown as Obj).managedFields;
    if (r.kind === 'Deployment' || r.kind === 'ReplicaSet') {
      const specChanged = !old || !sameJson(old.spec, o.spec);
      meta.generation = (old?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
      if (r.kind === 'Deployment') {
        const spec = (o.spec ?? {}) as Obj;
        spec.replicas ??= 1;
        o.spec = spec;
      }
    }
    if (r.kind === 'Namespace') o.status = { phase: 'Active' };
    return o;
  }

  /** The deployment controller: the ReplicaSet of the current template gets the next revision. */
  function reconcile(d: KubeObject): void {
    const rsRes = byKind('ReplicaSet') as Resource;
    const spec = (d.spec ?? {}) as Obj;
    const template = (spec.template ?? {}) as Obj;
    const owned = [...store.values()].filter(
      (o) =>
        o.kind === 'ReplicaSet' &&
        o.metadata.namespace === d.metadata.namespace &&
        o.metadata.ownerReferences?.some((ref) => ref.uid === d.metadata.uid && ref.controller === true),
    );
    const revisionOf = (o: KubeObject) => Number(o.metadata.annotations?.[REVISION] ?? 0);
    const max = owned.reduce((m, o) => Math.max(m, revisionOf(o)), 0);
    const withoutHash = (t: Obj) => {
      const c = clone(t) as { metadata?: { labels?: Record<string, string> } };
      if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
      return c;
    };
    let current = owned.find((o) => sameJson(withoutHash((o.spec as Obj).template as Obj), template));
    let revision = current ? revisionOf(current) : max + 1;
    if (current && revision !== max) revision = max + 1;
    if (!current) {
      const hash = createHash('sha256')
        .update(JSON.stringify(normalized(template)))
        .digest('hex')
        .slice(0, 10);
      const podTemplate = clone(template) as { metadata?: { labels?: Record<string, string> } };
      podTemplate.metadata = {
        ...podTemplate.metadata,
        labels: { ...podTemplate.metadata?.labels, [HASH_LABEL]: hash },
      };
      current = stamp(
        rsRes,
        {
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            labels: podTemplate.metadata.labels,
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: d.metadata.name,
                uid: d.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            replicas: spec.replicas,
            selector: {
              matchLabels: { ...(spec.selector as { matchLabels?: Obj })?.matchLabels, [HASH_LABEL]: hash },
            },
            template: podTemplate,
          },
        },
        d.metadata.namespace,
      );
    }
    // As the controller does: the deployment's annotations (but kubectl's own) are copied to its ReplicaSet.
    const copied = Object.fromEntries(
      Object.entries(d.metadata.annotations ?? {}).filter(
        ([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration',
      ),
    );
    current.metadata.annotations = { ...copied, [REVISION]: String(revision) };
    store.set(key(rsRes, d.metadata.namespace, current.metadata.name), current);
    for (const o of owned) if (o !== current) (o.spec as Obj).replicas = 0;
    (current.spec as Obj).replicas = spec.replicas;
    d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: String(revision) };
    const n = Number(spec.replicas ?? 1);
    d.status = {
      observedGeneration: d.metadata.generation,
      replicas: n,
      updatedReplicas: n,
      readyReplicas: n,
      availableReplicas: n,
    };
  }

  function save(r: Resource, o: KubeObject): void {
    if (r.kind === 'Deployment') reconcile(o);
    store.set(key(r, o.metadata.namespace, o.metadata.name), o);
  }

  function seed(obj: Obj): KubeObject {
    const r = byKind(String(obj.kind));
    if (!r) throw new Error(`the emulator has no kind ${String(obj.kind)}`);
    const meta = (obj.metadata ?? {}) as Obj;
    const ns = r.namespaced ? String(meta.namespace ?? 'default') : undefined;
    const old = store.get(key(r, ns, String(meta.name)));
    const o = stamp(r, obj, ns, old);
    save(r, o);
    return clone(o);
  }
  for (const ns of ['default', 'kube-system', ...(opts.namespaces ?? [])])
    seed({ kind: 'Namespace', metadata: { name: ns } });

  function discovery(path: string): Obj | undefined {
    if (path === '/version')
      return {
        major: '1',
        minor: '20',
        gitVersion: 'v1.20.2-sandbox',
        platform: 'linux/amd64',
        goVersion: 'go1.19',
      };
    if (path === '/api')
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      };
    if (path === '/apis')
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'apps',
            versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
            preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
          },
        ],
      };
    const gv = path === '/api/v1' ? 'v1' : path === '/apis/apps/v1' ? 'apps/v1' : undefined;
    if (!gv) return undefined;
    const group = gv === 'v1' ? '' : 'apps';
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: RESOURCES.filter((r) => r.group === group).map((r) => ({
        name: r.name,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      })),
    };
  }

  interface Route {
    r: Resource;
    ns: string | undefined;
    name: string | undefined;
  }
  function route(path: string): Route | undefined {
    const m = /^\/(?:api\/v1|apis\/apps\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (!m) return undefined;
    const group = path.startsWith('/apis/apps/') ? 'apps' : '';
    const [, ns, res, name] = m;
    // /api/v1/namespaces/<name> is the namespace itself.
    if (
      group === '' &&
      ns !== undefined &&
      res !== undefined &&
      name === undefined &&
      !RESOURCES.some((r) => r.name === res && r.group === '')
    )
      return undefined;
    if (group === '' && ns !== undefined && res === undefined) return undefined;
    if (ns !== undefined && !RESOURCES.some((r) => r.name === res)) return undefined;
    const r = RESOURCES.find((x) => x.group === group && x.name === res);
    if (!r) {
      // /api/v1/namespaces/<ns> parsed as resource "namespaces", name ns
      return undefined;
    }
    if (!r.namespaced && ns !== undefined) {
      // cluster-scoped: /api/v1/namespaces/<name>
      return undefined;
    }
    if (r.namespaced && ns === undefined && name !== undefined) return undefined;
    return { r, ns, name };
  }

  function namespaceRoute(path: string): Route | undefined {
    const m = /^\/api\/v1\/namespaces(?:\/([^/]+))?$/.exec(path);
    if (!m) return undefined;
    return { r: RESOURCES[0] as Resource, ns: undefined, name: m[1] };
  }

  function matches(o: KubeObject, selector: string | null): boolean {
    if (!selector) return true;
    return selector.split(',').every((term) => {
      const [k, v] = term.split('=');
      return o.metadata.labels?.[k as string] === v;
    });
  }

  function notFound(r: Resource, name: string): HttpError {
    return new HttpError(
      404,
      status(404, 'NotFound', `${r.name}${r.group ? `.${r.group}` : ''} "${name}" not found`, {
        name,
        group: r.group,
        kind: r.name,
      }),
    );
  }

  function ensureNamespace(r: Resource, ns: string | undefined): void {
    if (!r.namespaced) return;
    if (!store.has(key(RESOURCES[0] as Resource, undefined, ns as string)))
      throw new HttpError(
        404,
        status(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }),
      );
  }

  function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    contentType: string,
    body: unknown,
  ): [number, unknown] {
    const d = discovery(path);
    if (d && method === 'GET') return [200, d];
    const rt = namespaceRoute(path) ?? route(path);
    if (!rt) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const { r, ns, name } = rt;
    const dry = query.get('dryRun') === 'All';
    if (method === 'GET' && name === undefined) {
      const items = [...store.values()].filter(
        (o) =>
          o.kind === r.kind &&
          (ns === undefined || o.metadata.namespace === ns) &&
          matches(o, query.get('labelSelector')),
      );
      return [
        200,
        {
          kind: `${r.kind}List`,
          apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
          metadata: { resourceVersion: String(rv) },
          items,
        },
      ];
    }
    if (method === 'POST' && name === undefined) {
      const obj = body as Obj;
      const objName = String((obj?.metadata as Obj)?.name ?? '');
      if (!objName)
        throw new HttpError(
          422,
          status(422, 'Invalid', `${r.kind} is invalid: metadata.name: Required value`),
        );
      if (obj.kind !== r.kind)
        throw new HttpError(
          400,
          status(400, 'BadRequest', `the body's kind ${String(obj.kind)} is not ${r.kind}`),
        );
      ensureNamespace(r, ns);
      if (store.has(key(r, ns, objName)))
        throw new HttpError(
          409,
          status(409, 'AlreadyExists', `${r.name} "${objName}" already exists`, {
            name: objName,
            kind: r.name,
          }),
        );
      const o = stamp(r, obj, ns);
      if (!dry) save(r, o);
      return [201, o];
    }
    if (name === undefined)
      return [405, status(405, 'MethodNotAllowed', `${method} is not allowed on a collection`)];
    const k = key(r, ns, name);
    const old = store.get(k);
    if (method === 'GET') {
      if (!old) throw notFound(r, name);
      return [200, old];
    }
    if (method === 'DELETE') {
      if (!old) throw notFound(r, name);
      if (!dry) store.delete(k);
      return [
        200,
        {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Success',
          details: { name, kind: r.name, uid: old.metadata.uid },
        },
      ];
    }
    if (method === 'PUT' || method === 'PATCH') {
      if (!old) throw notFound(r, name);
      let next: unknown;
      if (method === 'PUT') next = body;
      else if (contentType.startsWith('application/strategic-merge-patch+json'))
        next = strategicMerge(old, body);
      else if (contentType.startsWith('application/merge-patch+json')) next = mergePatch(old, body);
      else if (contentType.startsWith('application/json-patch+json')) {
        try {
          next = jsonPatch(old, body);
        } catch (err) {
          throw new HttpError(
            422,
            status(422, 'Invalid', `the JSON patch does not apply: ${(err as Error).message}`),
          );
        }
      } else
        throw new HttpError(
          415,
          status(415, 'UnsupportedMediaType', `the patch type ${contentType} is not supported`),
        );
      const o = stamp(r, next as Obj, ns, old);
      if (!dry) save(r, o);
      else if (r.kind === 'Deployment') o.metadata.annotations = { ...o.metadata.annotations };
      return [200, o];
    }
    return [405, status(405, 'MethodNotAllowed', `${method} is not allowed`)];
  }

  const openapi = openApiV2(
    RESOURCES.map((r) => ({
      group: r.group,
      version: r.version,
      kind: r.kind,
      path: `/${r.group ? `apis/${r.group}` : 'api'}/${r.version}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.name}/{name}`,
    })),
  );
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const contentType = String(req.headers['content-type'] ?? '');
      const entry: RequestLogEntry = {
        method: req.method ?? 'GET',
        path: url.pathname,
        dryRun: url.searchParams.get('dryRun') === 'All',
        contentType,
        status: 0,
      };
      requests.push(entry);
      let code: number;
      let out: unknown;
      if (url.pathname === '/openapi/v2' && entry.method === 'GET') {
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' });
        res.end(openapi);
        return;
      }
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text ? JSON.parse(text) : undefined;
        [code, out] = handle(entry.method, url.pathname, url.searchParams, contentType, body);
      } catch (err) {
        if (err instanceof HttpError) [code, out] = [err.code, err.body];
        else [code, out] = [400, status(400, 'BadRequest', (err as Error).message)];
      }
      entry.status = code;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    server: origin,
    token,
    kubeconfig: (namespace = 'default') =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: sandbox',
        '  cluster:',
        `    server: ${origin}`,
        'users:',
        '- name: deployer',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: sandbox',
        '  context:',
        '    cluster: sandbox',
        '    user: deployer',
        `    namespace: ${namespace}`,
        'current-context: sandbox',
        '',
      ].join('\n'),
    get(kind, name, namespace = 'default') {
      const r = byKind(kind);
      const o = r ? store.get(key(r, namespace, name)) : undefined;
      return o ? clone(o) : undefined;
    },
    seed,
    requests,
    writes: () => requests.filter((e) => e.method !== 'GET' && !e.dryRun),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
