/**
 * The three patch kinds kubectl sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902, what
 * `rollout undo` sends) and the subset of strategic merge patch kubectl's client-side apply produces
 * (lists of objects merged by their merge key, `$setElementOrder/`, `$patch: delete|replace`,
 * `$deleteFromPrimitiveList/`, `$retainKeys`).
 */
type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const unescapeSegment = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new Error('a JSON patch is an array of operations');
  let doc = clone(target);
  for (const op of ops as Obj[]) {
    const path = String(op.path ?? '');
    const segs = path === '' ? [] : path.slice(1).split('/').map(unescapeSegment);
    if (segs.length === 0) {
      if (op.op === 'replace' || op.op === 'add') doc = clone(op.value);
      continue;
    }
    let parent: Json = doc;
    for (const s of segs.slice(0, -1)) {
      parent = (parent as Obj)?.[s];
      if (parent === undefined || parent === null) throw new Error(`path ${path} does not exist`);
    }
    const last = segs[segs.length - 1] as string;
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'remove') parent.splice(i, 1);
      else if (op.op === 'add') parent.splice(i, 0, clone(op.value));
      else if (op.op === 'replace') parent[i] = clone(op.value);
      else if (op.op !== 'test') throw new Error(`unsupported op ${String(op.op)}`);
    } else if (isObj(parent)) {
      if (op.op === 'remove') {
        if (!(last in parent)) throw new Error(`path ${path} does not exist`);
        delete parent[last];
      } else if (op.op === 'add' || op.op === 'replace') parent[last] = clone(op.value);
      else if (op.op !== 'test') throw new Error(`unsupported op ${String(op.op)}`);
    } else throw new Error(`path ${path} does not exist`);
  }
  return doc;
}

/** Merge keys of the built-in types' lists, as far as the fixtures need them (containers, ports, env, volumes). */
const MERGE_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'devicePath', 'uid', 'ip', 'type'];

function mergeKey(items: Json[]): string | undefined {
  const objs = items.filter(isObj).filter((o) => o.$patch === undefined);
  if (objs.length === 0 || objs.length !== items.filter((i) => !(isObj(i) && i.$patch)).length)
    return undefined;
  return MERGE_KEYS.find((k) => objs.every((o) => o[k] !== undefined));
}

function mergeList(target: Json, patch: Json[]): Json[] {
  const base = Array.isArray(target) ? clone(target) : [];
  const key = mergeKey(patch) ?? (patch.some((p) => isObj(p) && p.$patch) ? 'name' : undefined);
  if (!key || !base.every(isObj)) return patch.filter((p) => !(isObj(p) && p.$patch)).map(clone);
  let out = base as Obj[];
  for (const p of patch) {
    if (!isObj(p)) continue;
    if (p.$patch === 'delete') {
      out = out.filter((o) => o[key] !== p[key]);
      continue;
    }
    const i = out.findIndex((o) => o[key] === p[key]);
    if (i >= 0) out[i] = strategicMerge(out[i], p) as Obj;
    else out.push(strategicMerge({}, p) as Obj);
  }
  return out;
}

function ordered(list: Json[], order: Json[]): Json[] {
  const keyOf = (o: Json) => (isObj(o) ? MERGE_KEYS.find((k) => o[k] !== undefined) : undefined);
  const rank = (o: Json) => {
    const k = keyOf(o);
    const i = order.findIndex((e) => (isObj(e) && k ? e[k] === (o as Obj)[k] : e === o));
    return i < 0 ? order.length : i;
  };
  return [...list].sort((a, b) => rank(a) - rank(b));
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  const out: Obj = isObj(target) ? clone(target) : {};
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.push([k.slice('$setElementOrder/'.length), v]);
    } else if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      const gone = new Set(Array.isArray(v) ? v : []);
      if (Array.isArray(out[f])) out[f] = (out[f] as Json[]).filter((x) => !gone.has(x));
    } else if (k === '$retainKeys' || k === '$patch') {
      // $retainKeys only matters for union types the fixtures do not use.
    } else if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v);
    else if (isObj(v)) out[k] = strategicMerge(out[k], v);
    else out[k] = v;
  }
  for (const [f, order] of orders) if (Array.isArray(out[f])) out[f] = ordered(out[f] as Json[], order);
  return out;
}

/** Without nulls, empty objects and empty lists: how Go's structs compare two pod templates. */
export function normalized(v: Json): Json {
  if (Array.isArray(v)) return v.map(normalized);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const n = normalized(x);
    if (n === null || n === undefined) continue;
    if (isObj(n) && Object.keys(n).length === 0) continue;
    if (Array.isArray(n) && n.length === 0) continue;
    out[k] = n;
  }
  return out;
}

export function sameJson(a: Json, b: Json): boolean {
  return canonical(normalized(a)) === canonical(normalized(b));
}

function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
