import { GITHUB_TOKEN_DEFAULT, type InputDeclarations } from '../runner/declared-inputs.js';
import { POST_VALIDATE_INPUTS } from './post-validate.js';

/**
 * watch's inputs, declared once: its own, then post-validate's (the checks, thresholds and policy each
 * horizon is judged with are post-validate's, read by the same code). base-url defaults to the URL the
 * deployment's success status gives.
 */
export const WATCH_INPUTS = {
  'github-token': {
    kind: 'secret',
    default: GITHUB_TOKEN_DEFAULT,
    secret: true,
    description:
      'Token that reads the deployments and records the results (deployments write, issues write; actions write when rollback-dispatch is true).',
  },
  environment: {
    kind: 'text',
    default: 'production',
    description: 'The GitHub environment whose last successful deployment is watched.',
  },
  issue: {
    kind: 'int',
    default: '0',
    min: 0,
    max: 1_000_000_000,
    description:
      'Issue (e.g. the incident or release issue) that gets one comment per horizon; 0: no comment.',
  },
  'rollback-dispatch': {
    kind: 'bool',
    default: 'false',
    description:
      'When the T+24h check fails, start the rollback workflow (workflow_dispatch, once) instead of only recommending it. Needs actions write.',
  },
  'rollback-workflow': {
    kind: 'text',
    default: 'rollback.yml',
    description:
      'The manual rollback workflow file under .github/workflows that the recommendation links and a dispatch starts.',
  },
  'rollback-token': {
    kind: 'secret',
    secret: true,
    description:
      'Token with actions write that dispatches the rollback workflow; empty: github-token. Lets the watch job itself run without actions write. Masked.',
  },
  'rollback-ref': {
    kind: 'text',
    default: 'main',
    description: 'The branch the rollback workflow is dispatched on.',
  },
  ...POST_VALIDATE_INPUTS,
} as const satisfies InputDeclarations;
