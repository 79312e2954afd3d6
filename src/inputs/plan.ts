import type { InputDeclarations } from '../runner/declared-inputs.js';

/**
 * plan's inputs, declared once: actions/plan/action.yml and the README's input table are checked against
 * this (test/inputs/declared-inputs.test.ts). It takes no secret: only whether each secret is set.
 */
export const PLAN_INPUTS = {
  'workflow-inputs': {
    kind: 'format',
    description:
      "The reusable workflow's inputs as JSON (the expression toJSON(inputs)). Each one a later job passes to an action is checked with that action's own input checks. Required unless sign-off is given alone.",
  },
  'secrets-set': {
    kind: 'format',
    description:
      "Which of the workflow's secrets are set, one NAME=true or NAME=false per line (the expression secrets.NAME != ''); never the values. Required with workflow-inputs.",
  },
  'sign-off': {
    kind: 'file',
    description:
      "A sign-off file read alone, without workflow-inputs (rollback.yml's emergency roles): checked as approval-check checks it, its roles output as sign-off-roles. The playbook's sign-off comes through workflow-inputs.",
  },
} as const satisfies InputDeclarations;
