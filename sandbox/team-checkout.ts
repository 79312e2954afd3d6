/**
 * A rehearsal's workspace when the caller lives in a repository (`<repo>/.github/workflows/x.yml`): a copy
 * of that repository, so the jobs read the team's own migrations, compliance manifest, checks, sign-off and
 * waivers files and app folder, as the real run's checkout would. The sandbox adds only what its own
 * doing needs (its clock waiver and an approver for it), and says so: every addition is listed.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { DEFAULT_APPROVERS_FILE } from '../src/gate/approvers.js';
import { CLOCK_WAIVER, SANDBOX_WAIVERS } from './playbook.js';

/** What the sandbox wrote into the team's checkout, and why. */
export interface CheckoutAddition {
  file: string;
  what: string;
}

export interface TeamCheckout {
  /** The copy the jobs run in (GITHUB_WORKSPACE). */
  workspace: string;
  /** The team's repository it was copied from. */
  repository: string;
  added: CheckoutAddition[];
}

const WORKFLOWS = `${sep}.github${sep}workflows${sep}`;

/** The caller's repository: the folder above its `.github/workflows/`; none for a caller elsewhere. */
export function callerRepository(callerFile: string): string | undefined {
  const file = resolve(callerFile);
  const at = file.lastIndexOf(WORKFLOWS);
  return at < 0 ? undefined : file.slice(0, at);
}

/** The caller's repository, else the caller's own folder: where it names its files from. */
export function callerRoot(callerFile: string): string {
  return callerRepository(callerFile) ?? dirname(resolve(callerFile));
}

/** The repository's tracked files when git knows it (what actions/checkout gives), else every file. */
function trackedFiles(repository: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached'], {
      cwd: repository,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

const NOT_CHECKED_OUT = new Set(['.git', 'node_modules']);

/** A copy of the repository in a new folder: its tracked files, or the folder without .git and node_modules. */
export function copyRepository(repository: string): string {
  const workspace = mkdtempSync(join(tmpdir(), 'dg-rehearsal-checkout-'));
  const tracked = trackedFiles(repository);
  if (tracked)
    for (const file of tracked) {
      const from = join(repository, file);
      // A tracked file deleted in the working tree is not in the checkout of the commit either way.
      if (!existsSync(from)) continue;
      mkdirSync(dirname(join(workspace, file)), { recursive: true });
      cpSync(from, join(workspace, file));
    }
  else
    cpSync(repository, workspace, {
      recursive: true,
      filter: (from) => !NOT_CHECKED_OUT.has(basename(from)),
    });
  return workspace;
}

/**
 * The sandbox judges a fixed night, waived by CLOCK_WAIVER: the waivers file the jobs read when the caller
 * gives none, and its approver in the approvers file (appended to the team's, or the file alone: without
 * one no one may waive a critical rule).
 */
function addSandboxFiles(workspace: string): CheckoutAddition[] {
  const added: CheckoutAddition[] = [];
  writeFileSync(
    join(workspace, SANDBOX_WAIVERS),
    `${JSON.stringify({ waivers: [CLOCK_WAIVER] }, null, 2)}\n`,
  );
  added.push({
    file: SANDBOX_WAIVERS,
    what: `the sandbox's clock waiver (${CLOCK_WAIVER.rule}), the waivers file when the caller gives none`,
  });
  const approvers = join(workspace, DEFAULT_APPROVERS_FILE);
  const entry = `${CLOCK_WAIVER.approver} # added by the rehearsal: approver of the sandbox's clock waiver\n`;
  if (existsSync(approvers)) {
    const text = readFileSync(approvers, 'utf8');
    appendFileSync(approvers, `${text.endsWith('\n') || text === '' ? '' : '\n'}${entry}`);
    added.push({
      file: DEFAULT_APPROVERS_FILE,
      what: `${CLOCK_WAIVER.approver} appended (approves the clock waiver)`,
    });
  } else {
    mkdirSync(dirname(approvers), { recursive: true });
    writeFileSync(approvers, entry);
    added.push({
      file: DEFAULT_APPROVERS_FILE,
      what: `written with ${CLOCK_WAIVER.approver} alone (approves the clock waiver; the repository has no approvers file)`,
    });
  }
  return added;
}

/** The team's checkout for a caller in a repository; undefined for a caller elsewhere (the sample's). */
export function teamCheckout(callerFile: string): TeamCheckout | undefined {
  const repository = callerRepository(callerFile);
  if (!repository) return undefined;
  const workspace = copyRepository(repository);
  return { workspace, repository, added: addSandboxFiles(workspace) };
}
