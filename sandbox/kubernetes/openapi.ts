/**
 * The /openapi/v2 document kubectl 1.20 downloads (protobuf, the gnostic openapi_v2.Document message)
 * before `apply --dry-run=server` and `diff`: it checks that each kind's PATCH operation takes a `dryRun`
 * query parameter. The document holds just that (paths with their PATCH operation, the kind as the
 * x-kubernetes-group-version-kind extension and the dryRun parameter) and no definitions, so kubectl
 * computes strategic merge patches from its built-in types.
 */

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field (a string or an embedded message). */
function field(num: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes]);
}

export interface OpenApiKind {
  group: string;
  version: string;
  kind: string;
  /** The item path, e.g. /apis/apps/v1/namespaces/{namespace}/deployments/{name}. */
  path: string;
}

export function openApiV2(kinds: readonly OpenApiKind[]): Buffer {
  const paths = kinds.map((k) => {
    const gvk = `group: "${k.group}"\nkind: ${k.kind}\nversion: ${k.version}\n`;
    // NamedAny { name = 1; Any value = 2 { yaml = 2 } }
    const extension = Buffer.concat([field(1, 'x-kubernetes-group-version-kind'), field(2, field(2, gvk))]);
    // ParametersItem { Parameter parameter = 1 { NonBodyParameter = 2 { QueryParameterSubSchema = 3 { in = 2, name = 4, type = 6 } } } }
    const dryRun = field(
      1,
      field(2, field(3, Buffer.concat([field(2, 'query'), field(4, 'dryRun'), field(6, 'string')]))),
    );
    // Operation { operation_id = 5; parameters = 8; vendor_extension = 13 }
    const patch = Buffer.concat([field(5, `patch${k.kind}`), field(8, dryRun), field(13, extension)]);
    // NamedPathItem { name = 1; PathItem value = 2 { patch = 8 } }
    return field(2, Buffer.concat([field(1, k.path), field(2, field(8, patch))]));
  });
  // Document { swagger = 1; Info info = 2 { title = 1; version = 2 }; Paths paths = 8 }
  return Buffer.concat([
    field(1, '2.0'),
    field(2, Buffer.concat([field(1, 'Kubernetes'), field(2, 'v1.20.2')])),
    field(8, Buffer.concat(paths)),
  ]);
}
