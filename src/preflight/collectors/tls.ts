import { isIP } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import { mapLimit } from '../../util/concurrency.js';

export interface TlsFacts {
  host: string;
  port: number;
  reachable: boolean;
  /** The chain verifies against the trusted CAs and the certificate names the host. */
  valid: boolean;
  authorizationError: string | null;
  subject: string | null;
  issuer: string | null;
  validTo: string | null;
  daysLeft: number | null;
  protocol: string | null;
  error?: string;
}

const DAY_MS = 86_400_000;
function name(c: PeerCertificate['subject'] | undefined): string | null {
  const v = c?.CN ?? c?.O;
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

function inspect(target: string, timeoutMs: number, now: Date): Promise<TlsFacts> {
  const [host = target, portText] = target.split(':');
  const port = portText ? Number(portText) : 443;
  const base = { host, port, subject: null, issuer: null, validTo: null, daysLeft: null, protocol: null };
  return new Promise((resolve) => {
    // Verification is judged, not enforced: an untrusted or expired certificate is a fact to report.
    // SNI carries host names only (RFC 6066); an address is still checked against the certificate's names.
    const socket = connect(
      {
        host,
        port,
        ...(isIP(host) ? {} : { servername: host }),
        rejectUnauthorized: false,
        timeout: timeoutMs,
      },
      () => {
        const cert = socket.getPeerCertificate();
        const validTo = cert.valid_to ? new Date(cert.valid_to) : undefined;
        resolve({
          ...base,
          reachable: true,
          valid: socket.authorized,
          authorizationError: socket.authorized ? null : String(socket.authorizationError ?? 'unauthorized'),
          subject: name(cert.subject),
          issuer: name(cert.issuer),
          validTo: validTo?.toISOString() ?? null,
          daysLeft: validTo ? Math.floor((validTo.getTime() - now.getTime()) / DAY_MS) : null,
          protocol: socket.getProtocol(),
        });
        socket.end();
      },
    );
    const fail = (message: string) => {
      socket.destroy();
      resolve({ ...base, reachable: false, valid: false, authorizationError: null, error: message });
    };
    socket.on('timeout', () => fail(`no TLS handshake within ${timeoutMs} ms`));
    socket.on('error', (err) => fail(err.message));
  });
}

export async function collectTls(
  hosts: readonly string[],
  timeoutMs: number,
  now: Date,
): Promise<Record<string, TlsFacts>> {
  const results = await mapLimit(hosts, 8, (h) => inspect(h, timeoutMs, now));
  return Object.fromEntries(hosts.map((h, i) => [h, results[i] as TlsFacts]));
}
