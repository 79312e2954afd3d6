/**
 * Signed blob URLs in the shape of Azure SAS URLs (sv, se, sr, sp, sig). The signature covers the
 * permissions, the expiry and the blob path, so a changed path, permission or expiry is refused;
 * query parameters the Azure SDK adds (comp, blockid) are not signed, as with real SAS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Permission = 'r' | 'cw';
const VERSION = '2023-11-03';

function signature(key: Buffer, sp: string, se: string, path: string): Buffer {
  return createHmac('sha256', key)
    .update(`${sp}\n${se}\nb\n${VERSION}\n${decodeURIComponent(path)}`)
    .digest();
}

export function signBlobUrl(
  origin: string,
  key: Buffer,
  path: string,
  sp: Permission,
  expiresAt: Date,
): string {
  const se = expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const query = new URLSearchParams({ sv: VERSION, se, sr: 'b', sp });
  query.set('sig', signature(key, sp, se, path).toString('base64'));
  return `${origin}${path}?${query}`;
}

export interface SasRefusal {
  status: number;
  code: string;
  message: string;
  detail?: string;
}

/** Undefined when the URL grants `need` on its path now; otherwise the Azure-style refusal. */
export function checkBlobUrl(key: Buffer, url: URL, need: 'r' | 'w', nowMs: number): SasRefusal | undefined {
  const q = url.searchParams;
  const sp = q.get('sp') ?? '';
  const se = q.get('se') ?? '';
  const sig = Buffer.from(q.get('sig') ?? '', 'base64');
  const expected = signature(key, sp, se, url.pathname);
  const authFailed = (detail: string): SasRefusal => ({
    status: 403,
    code: 'AuthenticationFailed',
    message:
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    detail,
  });
  if (!q.has('sig') || q.get('sv') !== VERSION || q.get('sr') !== 'b') {
    return authFailed('sv, sr and sig are mandatory. Specify all of them.');
  }
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) {
    return authFailed(
      'Signature did not match. String to sign used was the signed permissions, expiry and path.',
    );
  }
  const expiry = Date.parse(se);
  if (!Number.isFinite(expiry) || nowMs > expiry) {
    return authFailed(
      `Signed expiry time [${new Date(expiry).toUTCString()}] must be after signed start time [${new Date(nowMs).toUTCString()}]`,
    );
  }
  if (!sp.includes(need)) {
    return {
      status: 403,
      code: 'AuthorizationPermissionMismatch',
      message: 'This request is not authorized to perform this operation using this permission.',
    };
  }
  return undefined;
}
