import { relative } from 'node:path';
import { InputError } from '../errors.js';
import type { ApprovalReview } from '../github/approvals.js';
import { readStructured } from '../policy/structured-file.js';
import { isPlainObject } from '../util/deep-merge.js';

/** Who must sign a deploy: each role approves through its own GitHub environment. */
export interface SignOff {
  display: string;
  roles: { name: string; environment: string }[];
  /** Whether the person who started the run may sign a role. */
  selfApproval: boolean;
}

/** A role as GitHub's review log shows it signed. */
export interface RoleSignature {
  role: string;
  environment: string;
  /** The person counted for the role: distinct from every other role's. */
  signer?: string;
  approvedBy: string[];
  rejectedBy: string[];
}

const ENV_NAME = /^[\w.\- ]{1,100}$/;
const FIX =
  'Write the sign-off file as {"roles": [{"name": "Medical director", "environment": "production-medical"}, …], "selfApproval": false}.';

/** Reads and checks the sign-off file before GitHub is asked anything. */
export async function readSignOff(path: string, workspace: string): Promise<SignOff> {
  const display = relative(workspace, path) || path;
  const { data } = await readStructured(path, 'sign-off', display);
  const bad = (problem: string) => new InputError('sign-off', `${display}: ${problem}`, FIX);
  if (!isPlainObject(data)) throw bad('must hold an object with a "roles" list');
  const unknown = Object.keys(data).filter((k) => k !== 'roles' && k !== 'selfApproval');
  if (unknown.length > 0) throw bad(`unknown key ${JSON.stringify(unknown[0])}`);
  if (data.selfApproval !== undefined && typeof data.selfApproval !== 'boolean')
    throw bad('selfApproval must be true or false');
  if (!Array.isArray(data.roles) || data.roles.length === 0) throw bad('"roles" must be a non-empty list');
  const roles = data.roles.map((r: unknown, i: number) => {
    if (!isPlainObject(r) || typeof r.name !== 'string' || !r.name.trim())
      throw bad(`roles[${i}] needs a "name"`);
    if (typeof r.environment !== 'string' || !ENV_NAME.test(r.environment))
      throw bad(`roles[${i}] (${r.name}) needs an "environment": a GitHub environment name`);
    const extra = Object.keys(r).find((k) => k !== 'name' && k !== 'environment');
    if (extra) throw bad(`roles[${i}] has an unknown key ${JSON.stringify(extra)}`);
    return { name: r.name.trim(), environment: r.environment };
  });
  const names = new Set<string>();
  for (const r of roles) {
    if (names.has(r.environment)) throw bad(`two roles approve through the environment ${r.environment}`);
    names.add(r.environment);
  }
  return { display, roles, selfApproval: data.selfApproval === true };
}

/**
 * Every role signed, from GitHub's review log: an approval of the role's environment by a person who signs
 * no other role, and who is not the run's author unless self-approval is allowed. Signers are matched to
 * roles so that distinct people are found whenever they exist.
 */
export function judgeSignOff(
  signOff: SignOff,
  reviews: ApprovalReview[],
  authors: readonly string[],
): { roles: RoleSignature[]; problems: string[]; rejected: boolean } {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const isAuthor = (login: string) => authors.some((a) => a && same(a, login));
  const roles: RoleSignature[] = signOff.roles.map((role) => {
    const of = reviews.filter((r) => r.environments.includes(role.environment));
    const people = (state: string) => [...new Set(of.filter((r) => r.state === state).map((r) => r.user))];
    return {
      role: role.name,
      environment: role.environment,
      approvedBy: people('approved'),
      rejectedBy: people('rejected'),
    };
  });
  const eligible = roles.map((r) => r.approvedBy.filter((u) => signOff.selfApproval || !isAuthor(u)));
  const assignment = match(eligible) ?? [];
  roles.forEach((r, i) => {
    const signer = assignment[i];
    if (signer) r.signer = signer;
  });
  const problems: string[] = [];
  for (const [i, r] of roles.entries()) {
    if (r.rejectedBy.length > 0) {
      problems.push(
        `role ${r.role} (${r.environment}) was rejected by ${r.rejectedBy.map((u) => `@${u}`).join(', ')}`,
      );
    } else if (r.approvedBy.length === 0) {
      problems.push(`role ${r.role} (${r.environment}) has no approval`);
    } else if ((eligible[i] ?? []).length === 0) {
      problems.push(
        `role ${r.role} (${r.environment}) was approved only by the run's author (${r.approvedBy.map((u) => `@${u}`).join(', ')}), and ${signOff.display} does not allow self-approval`,
      );
    } else if (!r.signer) {
      problems.push(
        `role ${r.role} (${r.environment}) was approved only by ${r.approvedBy.map((u) => `@${u}`).join(', ')}, who signed another role: each role needs a distinct person`,
      );
    }
  }
  return { roles, problems, rejected: roles.some((r) => r.rejectedBy.length > 0) };
}

/**
 * A distinct person per role (bipartite matching by augmenting paths), or the best partial assignment:
 * roles left without a signer are undefined.
 */
function match(candidates: string[][]): (string | undefined)[] | undefined {
  const owner = new Map<string, number>();
  const tryRole = (i: number, seen: Set<string>): boolean => {
    for (const person of candidates[i] ?? []) {
      const key = person.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const holder = owner.get(key);
      if (holder === undefined || tryRole(holder, seen)) {
        owner.set(key, i);
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < candidates.length; i++) tryRole(i, new Set());
  const result: (string | undefined)[] = candidates.map(() => undefined);
  for (const [key, i] of owner) result[i] = candidates[i]?.find((p) => p.toLowerCase() === key);
  return result;
}
