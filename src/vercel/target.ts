import { InputError } from '../errors.js';
import {
  type InputReader,
  parseHttpUrl,
  parseName,
  parseSecretToken,
  requireInput,
} from '../runner/inputs.js';

/** The Vercel project an action talks to, and how long its calls may take. */
export interface VercelTarget {
  token: string;
  project: string;
  teamId: string | undefined;
  /** Without a trailing slash. */
  apiUrl: string;
  /**
   * Time limits and the log: every call retries within the step's `deadline` (or `callMs` from its own
   * start; two minutes when neither is set, so no call can hold a step for ever) and says so.
   */
  budget?: { deadline?: number; callMs?: number; log: (message: string) => void };
}

export const VERCEL_API_URL = 'https://api.vercel.com';

/**
 * The two names of the API URL input: preflight-check has always called it vercel-api-url, vercel-deploy
 * and rollback api-url. Both are read everywhere, so no workflow has to change.
 */
const API_URL_INPUTS = ['vercel-api-url', 'api-url'] as const;

function readApiUrl(input: InputReader): string {
  const given = API_URL_INPUTS.map((name) => ({ name, value: input(name) })).filter((i) => i.value);
  const [first, second] = given;
  if (first && second && first.value.replace(/\/+$/, '') !== second.value.replace(/\/+$/, '')) {
    throw new InputError(
      first.name,
      `is not the same URL as ${second.name} (both name the Vercel API)`,
      `Set only one of them; ${first.name} is the name every action reads.`,
    );
  }
  if (!first) return VERCEL_API_URL;
  return parseHttpUrl(
    first.name,
    first.value,
    `the Vercel API base URL (leave it empty for ${VERCEL_API_URL})`,
  ).href.replace(/\/+$/, '');
}

/**
 * The one reader of vercel-token, vercel-project, vercel-team and the API URL, for every action. With
 * `optional`, no token and no project means the action does not talk to Vercel (undefined); one of the
 * two alone is an input error. Secrets are the caller's to mask before anything is logged.
 */
export function readVercelTarget(input: InputReader, opts: { optional: true }): VercelTarget | undefined;
export function readVercelTarget(input: InputReader, opts?: { optional?: false }): VercelTarget;
export function readVercelTarget(
  input: InputReader,
  opts: { optional?: boolean } = {},
): VercelTarget | undefined {
  const token = input('vercel-token');
  const project = input('vercel-project');
  if (opts.optional) {
    if (!token && !project) return undefined;
    if (token && !project)
      throw new InputError(
        'vercel-project',
        'is empty while vercel-token is set',
        'Name the Vercel project (name or id) whose production environment variables are checked.',
      );
    if (project && !token)
      throw new InputError(
        'vercel-token',
        'is empty while vercel-project is set',
        'Pass a Vercel token from a secret, or leave vercel-project empty to skip that collector.',
      );
  }
  return {
    token: parseSecretToken(
      'vercel-token',
      requireInput('vercel-token', token, 'a Vercel access token from a secret'),
    ),
    project: parseName(
      'vercel-project',
      requireInput('vercel-project', project, 'the Vercel project name or id'),
      'a Vercel project name or id',
    ),
    teamId: parseName('vercel-team', input('vercel-team'), 'a Vercel team id or slug') || undefined,
    apiUrl: readApiUrl(input),
  };
}
