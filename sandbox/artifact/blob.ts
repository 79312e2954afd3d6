/**
 * The blob side of signed URLs, as @azure/storage-blob's BlockBlobClient uses it: uploadStream
 * stages blocks (`PUT ?comp=block&blockid=<base64>`) and commits them (`PUT ?comp=blocklist`, an
 * XML <BlockList>); a single-shot `PUT` with `x-ms-blob-type: BlockBlob` is accepted too. The
 * download is a plain GET that @actions/artifact unzips when the content type is application/zip.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceContext } from './context.js';
import { azureError, msHeaders, type Reply } from './http.js';
import { checkBlobUrl } from './signed-url.js';
import type { BlobRecord } from './state.js';

const NOT_FOUND = (): Reply => azureError(404, 'BlobNotFound', 'The specified blob does not exist.');
const BAD_QUERY = 'Value for one of the query parameters specified in the request URI is invalid.';

export function handleBlob(
  ctx: ServiceContext,
  method: string,
  headers: IncomingHttpHeaders,
  url: URL,
  body: Buffer,
): Reply {
  const reading = method === 'GET' || method === 'HEAD';
  if (!reading && method !== 'PUT') {
    return azureError(405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.");
  }
  const refusal = checkBlobUrl(ctx.key, url, reading ? 'r' : 'w', ctx.now());
  if (refusal) return azureError(refusal.status, refusal.code, refusal.message, refusal.detail);
  const blob = ctx.state.blobs.get(url.pathname);
  const artifact = [...ctx.state.artifacts.values()].find((a) => a.blobPath === url.pathname);
  if (!blob || !artifact || artifact.expiresAt.getTime() <= ctx.now()) return NOT_FOUND();
  if (reading) return download(blob);
  if (artifact.finalized) {
    return azureError(
      409,
      'BlobImmutableDueToPolicy',
      'This operation is not permitted as the blob is immutable due to a policy.',
    );
  }
  return upload(headers, url, body, blob);
}

function download(blob: BlobRecord): Reply {
  if (!blob.data) return NOT_FOUND();
  const headers = {
    ...msHeaders(),
    'content-type': blob.contentType ?? 'application/octet-stream',
    etag: blob.etag ?? '',
    'last-modified': (blob.lastModified ?? new Date()).toUTCString(),
    'accept-ranges': 'bytes',
    'x-ms-blob-type': 'BlockBlob',
  };
  return { status: 200, headers, body: blob.data };
}

function upload(headers: IncomingHttpHeaders, url: URL, body: Buffer, blob: BlobRecord): Reply {
  const comp = url.searchParams.get('comp');
  if (comp === 'block') {
    const id = url.searchParams.get('blockid') ?? '';
    const decoded = Buffer.from(id, 'base64');
    if (decoded.length === 0 || decoded.length > 64 || decoded.toString('base64') !== id) {
      return azureError(400, 'InvalidQueryParameterValue', BAD_QUERY);
    }
    blob.blocks.set(id, body);
    return { status: 201, headers: { ...msHeaders(), 'x-ms-request-server-encrypted': 'true' } };
  }
  if (comp === 'blocklist') {
    const xml = body.toString('utf8');
    const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => m[2] ?? '');
    const parts = ids.map((id) => blob.blocks.get(id));
    if (!xml.includes('<BlockList>') || parts.some((p) => p === undefined)) {
      return azureError(400, 'InvalidBlockList', 'The specified block list is invalid.');
    }
    return commit(blob, Buffer.concat(parts as Buffer[]), headers['x-ms-blob-content-type']);
  }
  if (comp !== null) return azureError(400, 'InvalidQueryParameterValue', `${BAD_QUERY} comp=${comp}`);
  if (headers['x-ms-blob-type'] !== 'BlockBlob') {
    return azureError(
      400,
      'MissingRequiredHeader',
      "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.",
    );
  }
  return commit(blob, body, headers['x-ms-blob-content-type'] ?? headers['content-type']);
}

function commit(blob: BlobRecord, data: Buffer, contentType: string | string[] | undefined): Reply {
  // Committing discards every staged block, used or not, as Azure does.
  blob.blocks.clear();
  blob.data = data;
  blob.contentType = typeof contentType === 'string' ? contentType : undefined;
  blob.etag = `"0x${randomUUID().replace(/-/g, '').slice(0, 15).toUpperCase()}"`;
  blob.lastModified = new Date();
  const headers = {
    ...msHeaders(),
    etag: blob.etag,
    'last-modified': blob.lastModified.toUTCString(),
    'x-ms-request-server-encrypted': 'true',
  };
  return { status: 201, headers };
}
