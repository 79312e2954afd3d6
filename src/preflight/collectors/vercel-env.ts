import { callVercel, team, type VercelTarget } from '../../vercel/api.js';

export const DEFAULT_REQUIRED_ENV = [
  'NEXT_PUBLIC_APP_ENV',
  'NEXT_PUBLIC_API_URL',
  'NEXT_PUBLIC_SUPABASE_URL',
  'JWT_SECRET',
  'ENCRYPTION_KEY',
  'SESSION_SECRET',
  'LGPD_CONSENT_REQUIRED',
  'ANVISA_MEDICAL_DEVICE_COMPLIANCE',
  'CFM_PROFESSIONAL_STANDARDS',
  'SENTRY_DSN',
  'LOG_LEVEL',
];

export interface VercelEnvFacts {
  project: string;
  required: string[];
  /** Names set for the production target; values are never read. */
  present: string[];
  missing: string[];
}

/** Which required variable names the project has for production. Only names and targets are asked for. */
export async function collectVercelEnv(target: VercelTarget, required: string[]): Promise<VercelEnvFacts> {
  const { projectsFilterProjectEnvs } = await import('@vercel/sdk/funcs/projectsFilterProjectEnvs.js');
  const res = await callVercel(target, 'read environment variables', (core, options) =>
    projectsFilterProjectEnvs(core, { idOrName: target.project, ...team(target) }, options),
  );
  const envs = 'envs' in res ? res.envs : [res];
  const production = new Set(
    envs
      .filter((e) => {
        const target = (e as { target?: unknown }).target;
        return Array.isArray(target) ? target.includes('production') : target === 'production';
      })
      .map((e) => (e as { key: string }).key),
  );
  return {
    project: target.project,
    required,
    present: required.filter((k) => production.has(k)),
    missing: required.filter((k) => !production.has(k)),
  };
}
