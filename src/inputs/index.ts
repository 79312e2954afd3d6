import type { InputDeclarations } from '../runner/declared-inputs.js';
import { APPROVAL_CHECK_INPUTS } from './approval-check.js';
import { COMPLIANCE_GATE_INPUTS } from './compliance-gate.js';
import { DB_MIGRATE_BACKUP_INPUTS } from './db-migrate-backup.js';
import { INFRA_CHANGE_INPUTS } from './infra-change.js';
import { NOTIFY_INPUTS } from './notify.js';
import { PLAN_INPUTS } from './plan.js';
import { POLICY_GATE_INPUTS } from './policy-gate.js';
import { POST_VALIDATE_INPUTS } from './post-validate.js';
import { PREFLIGHT_CHECK_INPUTS } from './preflight-check.js';
import { ROLLBACK_INPUTS } from './rollback.js';
import { VERCEL_DEPLOY_INPUTS } from './vercel-deploy.js';
import { WATCH_INPUTS } from './watch.js';

/** Every action's declared inputs, by the action's name (policy-gate is the root action.yml). */
export const ACTION_INPUTS = {
  'policy-gate': POLICY_GATE_INPUTS,
  'compliance-gate': COMPLIANCE_GATE_INPUTS,
  'approval-check': APPROVAL_CHECK_INPUTS,
  'db-migrate-backup': DB_MIGRATE_BACKUP_INPUTS,
  'infra-change': INFRA_CHANGE_INPUTS,
  notify: NOTIFY_INPUTS,
  plan: PLAN_INPUTS,
  'post-validate': POST_VALIDATE_INPUTS,
  'preflight-check': PREFLIGHT_CHECK_INPUTS,
  rollback: ROLLBACK_INPUTS,
  'vercel-deploy': VERCEL_DEPLOY_INPUTS,
  watch: WATCH_INPUTS,
} as const satisfies Record<string, InputDeclarations>;

export type ActionName = keyof typeof ACTION_INPUTS;
