import { describe, expect, it } from 'vitest';
import { childEnvironment } from '../../src/util/child-env.js';

describe('childEnvironment', () => {
  it("drops the action's inputs and adds what the action passes on purpose", () => {
    const env = childEnvironment(
      { PATH: '/bin', 'INPUT_VERCEL-TOKEN': 'secret', INPUT_DATABASE_URL: 'postgres://x', HOME: '/h' },
      { DEPLOY_GATES_ROLLBACK_RUN_ID: '42' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', DEPLOY_GATES_ROLLBACK_RUN_ID: '42' });
  });

  it("withholds the runner's tokens and file commands but keeps the step's own env", () => {
    const env = childEnvironment(
      {
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'o',
        GITHUB_TOKEN: 'g',
        GITHUB_OUTPUT: '/o',
        GITHUB_ENV: '/e',
        GITHUB_PATH: '/p',
        GITHUB_STATE: '/s',
        GITHUB_STEP_SUMMARY: '/m',
        GITHUB_WORKSPACE: '/w',
        DBMATE_MIGRATIONS_DIR: 'db/m',
      },
      { DATABASE_URL: 'postgres://db' },
    );
    expect(env).toEqual({
      GITHUB_WORKSPACE: '/w',
      DBMATE_MIGRATIONS_DIR: 'db/m',
      DATABASE_URL: 'postgres://db',
    });
  });
});
