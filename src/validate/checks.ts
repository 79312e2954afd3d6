import { InputError } from '../errors.js';
import { assertSchema } from '../policy/document-schemas.js';
import { validatePostValidateChecks } from '../policy/generated/validators/validatePostValidateChecks.js';
import { readStructured } from '../policy/structured-file.js';
import { COMPLIANT_BODY, HEALTHY_BODY, type JsonConditions } from './expect.js';

/** One request and what its response must look like; the shape of policies/post-validate-checks.schema.json. */
export interface Check {
  name: string;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  auth?: 'none' | 'bearer';
  tags?: string[];
  expect?: {
    status?: number | string | number[];
    json?: JsonConditions;
    maxLatencyMs?: number;
  };
}

const CHECKS_SCHEMA = 'policies/post-validate-checks.schema.json';
const compliance = (regulation: string): Check => ({
  name: `${regulation.toUpperCase()} compliance status`,
  url: `/api/compliance/${regulation}/status`,
  tags: ['compliance'],
  expect: { json: COMPLIANT_BODY },
});
const health = (name: string, url: string, tags: string[]): Check => ({
  name,
  url,
  tags,
  expect: { json: HEALTHY_BODY },
});
const functional = (name: string, method: string, url: string): Check => ({
  name,
  method,
  url,
  auth: 'bearer',
  tags: ['functional'],
});

/**
 * The playbook's Step 5 requests, as its curl lines send them, with the body judged too: `curl -f` only
 * sees the status, but a 200 saying `unhealthy` or `"compliant": false` is not a pass.
 */
export const DEFAULT_CHECKS: readonly Check[] = [
  health('API health', '/health', ['health']),
  health('Database health', '/api/health/database', ['health', 'database']),
  health('Compliance health', '/api/health/compliance', ['health', 'compliance']),
  compliance('lgpd'),
  compliance('anvisa'),
  compliance('cfm'),
  functional('Patient data access', 'POST', '/api/patients/validate'),
  functional('Appointment system', 'POST', '/api/appointments/test'),
  functional('Medical records', 'GET', '/api/medical-records/test'),
];

/**
 * Where users reach production (the playbook's `curl -f https://neonpro.healthcare/health` and the api.
 * host's /health), checked besides the deployment URL: a deployment can answer while the domain does not.
 */
export function productionChecks(urls: { productionUrl?: string; apiUrl?: string }): Check[] {
  const at = (origin: string) => `${origin.replace(/\/+$/, '')}/health`;
  return [
    ...(urls.productionUrl
      ? [health('Production domain health', at(urls.productionUrl), ['health', 'production'])]
      : []),
    ...(urls.apiUrl ? [health('API host health', at(urls.apiUrl), ['health', 'production'])] : []),
  ];
}

/** Every check name once: thresholds and reports refer to checks by name. */
export function assertUniqueNames(checks: readonly Check[], display: string): void {
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.name)) {
      throw new InputError(
        'checks',
        `${display} names two checks "${check.name}"`,
        'Give every check its own name: thresholds and reports refer to checks by name (production-url and api-host-url add "Production domain health" and "API host health").',
      );
    }
    seen.add(check.name);
  }
}

/** The checks file, checked against its schema (bad input names the line), with unique names. */
export async function readChecksFile(path: string, display: string): Promise<Check[]> {
  const file = await readStructured(path, 'checks', display);
  await assertSchema(validatePostValidateChecks, file, 'checks', CHECKS_SCHEMA);
  const checks = (file.data as { checks: Check[] }).checks;
  assertUniqueNames(checks, display);
  return checks;
}

/** The URL a check requests: absolute as written, or its path appended to base-url. */
export function checkUrl(check: Check, baseUrl: string | undefined): string {
  if (/^https?:\/\//.test(check.url)) return check.url;
  if (!baseUrl) {
    throw new InputError(
      'base-url',
      `is empty, but the check "${check.name}" has the relative URL ${check.url}`,
      'Set base-url to the deployment to validate (e.g. the deployment-url output of vercel-deploy), or give the check an absolute URL.',
    );
  }
  return `${baseUrl.replace(/\/+$/, '')}${check.url}`;
}
