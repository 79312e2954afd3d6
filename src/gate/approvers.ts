import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { ApproverCheck } from '../policy/types.js';

/** Where a repository lists who may waive the rules that need an approver, unless `waiver-approvers` says. */
export const DEFAULT_APPROVERS_FILE = '.github/deploy-gates/approvers';

export interface Team {
  org: string;
  slug: string;
}

/** The approvers file: people by login or email, and teams whose active members approve. */
export interface ApproverList {
  /** The file as the workspace names it, for reports. */
  display: string;
  logins: ReadonlySet<string>;
  emails: ReadonlySet<string>;
  teams: readonly Team[];
}

const LOGIN = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/;
const TEAM = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9][A-Za-z0-9_.-]*)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * CODEOWNERS-style: owners separated by spaces, one or more a line, `#` starts a comment. GitHub
 * logins and team slugs are case-insensitive, so they are kept in lower case.
 */
export async function readApprovers(path: string, display: string, input: string): Promise<ApproverList> {
  const text = await readFile(path, 'utf8');
  const logins = new Set<string>();
  const emails = new Set<string>();
  const teams: Team[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    for (const owner of line === '' ? [] : line.split(/\s+/)) {
      const team = TEAM.exec(owner);
      const login = LOGIN.exec(owner);
      if (team) teams.push({ org: (team[1] ?? '').toLowerCase(), slug: (team[2] ?? '').toLowerCase() });
      else if (login) logins.add((login[1] ?? '').toLowerCase());
      else if (EMAIL.test(owner)) emails.add(owner.toLowerCase());
      else {
        throw new InputError(
          input,
          `${display} line ${index + 1}: ${JSON.stringify(owner)} is not an approver`,
          'List approvers as @login, @org/team-slug or an email address, separated by spaces; # starts a comment.',
        );
      }
    }
  });
  if (logins.size + emails.size + teams.length === 0) {
    throw new InputError(
      input,
      `${display} lists no approver`,
      'List at least one @login, @org/team-slug or email address, or remove the file to let no one waive those rules.',
    );
  }
  return { display, logins, emails, teams };
}

export type Membership = 'active' | 'pending' | 'none';
export type MembershipLookup = (team: Team, login: string) => Promise<Membership | { unknown: string }>;

/** The approver as written in a waiver: `@login` or `login`, an email, or (never a person) a team. */
export function parseApprover(approver: string): { login: string } | { email: string } | { team: string } {
  const value = approver.trim();
  if (TEAM.test(value)) return { team: value };
  if (EMAIL.test(value)) return { email: value.toLowerCase() };
  return { login: value.replace(/^@/, '').toLowerCase() };
}

/** The approver of a waiver whose rule needs one: listed in the file, or an active member of a listed team. */
export async function checkApprover(
  approver: string,
  list: ApproverList | string,
  lookup: MembershipLookup | undefined,
): Promise<ApproverCheck> {
  const refuse = (detail: string): ApproverCheck => ({ required: true, ok: false, detail });
  if (typeof list === 'string') return refuse(list);
  const who = parseApprover(approver);
  const listed = { required: true, ok: true, detail: `listed in ${list.display}` };
  if ('team' in who) return refuse(`${who.team} is a team; name the person who approved`);
  if ('email' in who) {
    return list.emails.has(who.email) ? listed : refuse(`${approver} is not listed in ${list.display}`);
  }
  if (list.logins.has(who.login)) return listed;
  const notes: string[] = [];
  for (const team of list.teams) {
    const membership = lookup ? await lookup(team, who.login) : { unknown: 'no token' };
    const handle = `@${team.org}/${team.slug}`;
    if (membership === 'active') return { required: true, ok: true, detail: `active member of ${handle}` };
    if (membership === 'pending') notes.push(`membership of ${handle} is pending`);
    else if (typeof membership === 'object')
      notes.push(`membership of ${handle} not checked: ${membership.unknown}`);
  }
  const teams = list.teams.length > 0 ? ` nor an active member of a team listed there` : '';
  return refuse(
    `@${who.login} is not listed in ${list.display}${teams}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
  );
}
