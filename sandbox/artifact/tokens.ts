/**
 * Runtime tokens as the runner hands them to a job: a JWT whose `scp` claim carries
 * `Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>`. @actions/artifact only
 * decodes it; the emulator also checks the signature and expiry, as the service does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface JobScope {
  runBackendId: string;
  jobBackendId: string;
}

/** A stable UUID-shaped id for the given parts (backend ids are UUIDs on GitHub). */
export function backendId(...parts: Array<string | number>): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export function issueRuntimeToken(key: Buffer, scope: JobScope, nowMs: number, ttlMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const payload = b64url(
    JSON.stringify({
      nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
      scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${scope.runBackendId}:${scope.jobBackendId}`,
      iss: 'vstoken.actions.githubusercontent.com',
      aud: 'vso:emulated-artifact-service',
      iat,
      nbf: iat - 5,
      exp: iat + Math.floor(ttlMs / 1000),
    }),
  );
  const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** The job scope of a valid token, or why it is refused. */
export function verifyRuntimeToken(
  key: Buffer,
  token: string,
  nowMs: number,
): JobScope | { refused: string } {
  const [header = '', payload = '', sig = ''] = token.split('.');
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { refused: 'invalid token signature' };
  let claims: { scp?: unknown; exp?: unknown; nbf?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { refused: 'token payload is not JSON' };
  }
  const now = nowMs / 1000;
  if (typeof claims.exp !== 'number' || now >= claims.exp) return { refused: 'token expired' };
  if (typeof claims.nbf === 'number' && now < claims.nbf) return { refused: 'token not yet valid' };
  const results = String(claims.scp ?? '')
    .split(' ')
    .map((s) => s.split(':'))
    .find((parts) => parts[0] === 'Actions.Results' && parts.length === 3);
  if (!results?.[1] || !results[2]) return { refused: 'token has no Actions.Results scope' };
  return { runBackendId: results[1], jobBackendId: results[2] };
}
