import { GITHUB_TOKEN_DEFAULT, HOUR, type InputDeclarations } from '../runner/declared-inputs.js';

/**
 * vercel-deploy's inputs, declared once: actions/vercel-deploy/action.yml and the README's input table are
 * checked against this (test/inputs/declared-inputs.test.ts), and the secrets are masked from it.
 */
export const VERCEL_DEPLOY_INPUTS = {
  'vercel-token': {
    kind: 'secret',
    required: true,
    secret: true,
    description: 'Vercel access token (a secret; masked).',
  },
  'vercel-project': { kind: 'text', required: true, description: 'Vercel project name or id.' },
  'vercel-team': { kind: 'text', description: 'Vercel team id or slug, for a team project.' },
  'vercel-api-url': {
    kind: 'url',
    description:
      "Vercel API base URL (a proxy, or the sandbox emulator); empty for https://api.vercel.com. The same input as preflight-check's.",
  },
  'api-url': {
    kind: 'url',
    description: 'The older name of vercel-api-url, still read; set one of the two.',
  },
  'working-directory': {
    kind: 'folder',
    default: '.',
    description: 'The app folder uploaded (or holding .vercel/output with prebuilt).',
  },
  prebuilt: {
    kind: 'bool',
    default: 'false',
    description: 'Deploy .vercel/output from an earlier build instead of the sources.',
  },
  target: {
    kind: 'enum',
    default: 'production',
    values: ['preview', 'production'],
    description: 'preview or production.',
  },
  promote: {
    kind: 'bool',
    default: 'true',
    description:
      'For production, deploy staged (the domain keeps serving the old one) and then promote that same deployment, without a rebuild.',
  },
  'deployment-id': { kind: 'text', description: 'Promote this existing deployment instead of uploading.' },
  'alias-check': {
    kind: 'bool',
    default: 'true',
    description: 'Fail unless the production domain serves the new deployment.',
  },
  timeout: {
    kind: 'duration',
    default: '10m',
    min: 1000,
    max: 6 * HOUR,
    description: 'For the build to be READY and for the domain to move.',
  },
  'sri-manifest': {
    kind: 'out',
    description: 'Where the SRI manifest (path → sha384 integrity) goes. Default under RUNNER_TEMP.',
  },
  'sri-globs': {
    kind: 'format',
    description: 'Assets hashed for Subresource Integrity, globs one per line.',
  },
  'github-environment': {
    kind: 'text',
    description:
      'Record a GitHub Deployment of this environment (e.g. production) with in_progress, success (with the URL) or failure statuses, and mark the earlier ones inactive. Empty records none. The job needs the deployments write permission.',
  },
  'github-token': {
    kind: 'secret',
    default: GITHUB_TOKEN_DEFAULT,
    secret: true,
    description: 'Token for the GitHub Deployment, with the deployments write permission.',
  },
} as const satisfies InputDeclarations;
