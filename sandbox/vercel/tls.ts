/**
 * A throwaway certificate authority and one server certificate for 127.0.0.1 / localhost, made with the
 * openssl CLI (present on GitHub's Ubuntu runners and Debian). Clients trust the sites through `caFile`
 * (NODE_EXTRA_CA_CERTS for a child process, `ca` for node:https in process) instead of turning checks off.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface SandboxCertificates {
  /** PEM file of the CA that signed `cert`. */
  caFile: string;
  ca: string;
  key: string;
  cert: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd: dir });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl was not found on PATH (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? String(err)}`);
  }
}

/**
 * Writes ca.pem, ca.key, site.key, site.pem into `dir` (which must exist). 90 days, as a public CA issues:
 * preflight's TLS rule wants at least 14 days left on the sites it checks.
 */
export async function makeCertificates(dir: string): Promise<SandboxCertificates> {
  const newKey = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'.split(' ');
  const caExtensions = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
  await openssl(dir, [
    ...['req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '90'],
    ...['-subj', '/CN=deploy-gates sandbox CA', ...caExtensions.flatMap((e) => ['-addext', e])],
  ]);
  await openssl(dir, ['req', ...newKey, '-keyout', 'site.key', '-out', 'site.csr', '-subj', '/CN=127.0.0.1']);
  const siteExtensions = [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'authorityKeyIdentifier=keyid',
  ];
  await writeFile(join(dir, 'site.ext'), `${siteExtensions.join('\n')}\n`);
  await openssl(dir, [
    ...['x509', '-req', '-in', 'site.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'],
    ...['-out', 'site.pem', '-days', '90', '-extfile', 'site.ext'],
  ]);
  const read = (f: string): Promise<string> => readFile(join(dir, f), 'utf8');
  const [ca, key, cert] = await Promise.all([read('ca.pem'), read('site.key'), read('site.pem')]);
  return { caFile: join(dir, 'ca.pem'), ca, key, cert };
}
