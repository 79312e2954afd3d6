import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { quoteValue } from './inputs.js';

/** Where a step may write: its workspace and the runner's temporary folder. */
export interface WritableRoots {
  workspace: string;
  runnerTemp: string;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * A path typed into an input: one line, of a length the file system takes. A line break would start a
 * workflow command where the path is logged, and a name too long fails only when the file is opened,
 * which for an output is after the step has changed things.
 */
function assertPathText(input: string, value: string, fix: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new InputError(input, `${quoteValue(value)} contains a line break or control character`, fix);
  if (value.length > 1024 || value.split('/').some((part) => Buffer.byteLength(part) > 255))
    throw new InputError(input, `${quoteValue(value)} is too long for a path`, fix);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The folder, or the nearest folder above it that exists, must be one this job can write. Returns that
 * folder. `probe` really creates (and removes) a file there: as root, access(W_OK) says yes to /proc and
 * other pseudo file systems that refuse every new file.
 */
function assertWritable(input: string, value: string, target: string, fix: string, probe = false): string {
  let folder = target;
  let stat = statOrUndefined(folder);
  while (!stat && dirname(folder) !== folder) {
    folder = dirname(folder);
    stat = statOrUndefined(folder);
  }
  if (!stat?.isDirectory()) {
    throw new InputError(input, `${quoteValue(value)} is under ${quoteValue(folder)}, which is a file`, fix);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new InputError(input, `${quoteValue(value)} is in a folder this job cannot write (${folder})`, fix);
  }
  if (probe) {
    const file = `${folder}/.deploy-gates-probe-${randomUUID()}`;
    try {
      closeSync(openSync(file, 'wx'));
      unlinkSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'an error';
      throw new InputError(
        input,
        `${quoteValue(value)} is in a folder where no file can be created (${folder}: ${code})`,
        fix,
      );
    }
  }
  return folder;
}

/**
 * A file the action will write (a report, a manifest), checked when the inputs are read: a folder, an
 * unwritable place or a path outside the workspace would otherwise fail only after the deploy or the
 * migration had already happened. Returns the absolute path; the folders are created when writing.
 */
export function parseOutputPath(input: string, raw: string, roots: WritableRoots): string {
  const value = raw.trim();
  const path = resolve(roots.workspace, value);
  const fix = `Set ${input} to a file path inside the workspace or RUNNER_TEMP, e.g. out/${input}.json.`;
  assertPathText(input, value, fix);
  if (!isInside(roots.workspace, path) && !isInside(roots.runnerTemp, path)) {
    throw new InputError(input, `${quoteValue(value)} is outside the workspace and RUNNER_TEMP`, fix);
  }
  if (statOrUndefined(path)?.isDirectory()) {
    throw new InputError(input, `${quoteValue(value)} is a folder, not a file`, fix);
  }
  assertWritable(input, value, dirname(path), fix);
  return path;
}

/** A file or folder the action will read, checked to exist and be of the right kind before anything runs. */
export function parseExistingPath(
  input: string,
  raw: string,
  workspace: string,
  kind: 'file' | 'folder',
): string {
  const value = raw.trim();
  assertPathText(input, value, `Set ${input} to a ${kind} in the workspace.`);
  const path = resolve(workspace, value);
  const stat = statOrUndefined(path);
  const wrongKind = stat && (kind === 'file' ? !stat.isFile() : !stat.isDirectory());
  // A project folder outside the workspace (../../etc) would be uploaded or migrated from; the files read
  // here (waivers, approvers, sign-off, hooks, channels) are the repository's reviewed configuration, so a
  // path out of the checkout (../../etc/passwd, another step's output) is refused before it is read.
  if (!isInside(workspace, path)) {
    throw new InputError(
      input,
      `${quoteValue(value)} is outside the workspace`,
      `Set ${input} to a ${kind} in the workspace (paths are relative to ${workspace}).`,
    );
  }
  if (!stat || wrongKind) {
    throw new InputError(
      input,
      stat ? `${quoteValue(value)} is not a ${kind}` : `${quoteValue(value)} does not exist`,
      `Set ${input} to a ${kind} in the workspace (paths are relative to ${workspace}).`,
    );
  }
  return path;
}

/** A folder the action will write into (created if missing), anywhere the job can write: a mounted volume. */
export function parseWritableFolder(input: string, raw: string, workspace: string): string {
  const value = raw.trim();
  const path = resolve(workspace, value);
  const fix = `Set ${input} to a folder this job can write (it is created if missing).`;
  assertPathText(input, value, fix);
  const stat = statOrUndefined(path);
  if (stat && !stat.isDirectory())
    throw new InputError(input, `${quoteValue(value)} is a file, not a folder`, fix);
  // The backup is written here after pg_dump has run: a folder that only looks writable must fail now.
  assertWritable(input, value, path, fix, true);
  return path;
}
