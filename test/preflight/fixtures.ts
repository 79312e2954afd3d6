import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAjv } from '../../src/policy/ajv.js';

const root = join(import.meta.dirname, '../..');

/** Validates a facts document against policies/facts.schema.json; returns the errors as text. */
export function factsSchemaErrors(doc: unknown): string[] {
  const ajv = createAjv();
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'policies/facts.schema.json'), 'utf8')));
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export const LCOV = `TN:
SF:src/a.ts
FN:1,f
FNDA:1,f
FNF:1
FNH:1
DA:1,1
DA:2,1
DA:3,0
DA:4,1
LF:4
LH:3
BRDA:2,0,0,1
BRDA:2,0,1,0
BRF:2
BRH:1
end_of_record
`;
export const ISTANBUL = {
  total: {
    lines: { total: 200, covered: 192, pct: 96 },
    statements: { total: 210, covered: 200, pct: 95.24 },
    functions: { total: 40, covered: 39, pct: 97.5 },
    branches: { total: 50, covered: 45, pct: 90 },
  },
};
export const COBERTURA = `<?xml version="1.0" ?>
<coverage line-rate="0.9612" branch-rate="0.875" lines-covered="1" lines-valid="1" version="1" timestamp="1">
  <packages/>
</coverage>`;

export function sarif(
  tool: string,
  results: { level?: string; securitySeverity?: string; ruleId: string }[],
) {
  return {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool,
            rules: results.map((r) => ({
              id: r.ruleId,
              ...(r.securitySeverity ? { properties: { 'security-severity': r.securitySeverity } } : {}),
            })),
          },
        },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          ...(r.level ? { level: r.level } : {}),
          message: { text: 'x' },
        })),
      },
    ],
  };
}

export interface TestCa {
  dir: string;
  caFile: string;
  /** A key and certificate for `host`, valid from `startDays` to `endDays` relative to now, signed by the CA. */
  issue(name: string, host: string, startDays: number, endDays: number): { key: string; cert: string };
}

/** A throwaway CA made with the openssl CLI; certificates carry subjectAltName for `host`. */
export function makeCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'dg-ca-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=deploy-gates test CA',
  );
  const stamp = (days: number) => {
    const d = new Date(Date.now() + days * 86_400_000);
    return `${d.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
  };
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    issue(name, host, startDays, endDays) {
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${host}`,
      );
      const ext = /^\d+\.\d+\.\d+\.\d+$/.test(host)
        ? `subjectAltName=IP:${host}`
        : `subjectAltName=DNS:${host}`;
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      return { key: join(dir, `${name}.key`), cert: signWithX509(dir, name, startDays, endDays, stamp) };
    },
  };
}

function signWithX509(
  dir: string,
  name: string,
  startDays: number,
  endDays: number,
  stamp: (d: number) => string,
): string {
  // `openssl x509 -req` cannot set a start date in the past; `openssl ca` can, with a minimal config.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca=d\n[d]\ndir=${dir}\ndatabase=${dir}/index.txt\nserial=${dir}/serial\nnew_certs_dir=${dir}\ncertificate=${dir}/ca.pem\nprivate_key=${dir}/ca.key\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=copy\n[p]\ncommonName=supplied\n`,
  );
  execFileSync(
    'openssl',
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      '-startdate',
      stamp(startDays),
      '-enddate',
      stamp(endDays),
      '-extfile',
      `${name}.ext`,
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  return join(dir, `${name}.pem`);
}
