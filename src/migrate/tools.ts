import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { MigrationTool } from '../db/migration-state.js';
import { repoMigrations } from '../db/migration-state.js';
import { InputError } from '../errors.js';
import { quoteValue } from '../runner/inputs.js';

export const MIGRATE_MODES = ['auto', 'dbmate', 'node-pg-migrate', 'prisma', 'command', 'none'] as const;
export type MigrateMode = (typeof MIGRATE_MODES)[number];
export type ResolvedTool = MigrationTool | 'command' | 'none';

export interface MigrationCommand {
  tool: ResolvedTool;
  program: string;
  args: string[];
  /** Where the tool keeps its migrations, for the pending list and the lint. */
  folder: string | undefined;
}

const FOLDERS: Record<MigrationTool, string[]> = {
  prisma: ['prisma', 'migrations'],
  dbmate: ['db', 'migrations'],
  'node-pg-migrate': ['migrations'],
};

export function detectTool(dir: string): MigrationTool | undefined {
  if (existsSync(join(dir, 'prisma', 'schema.prisma'))) return 'prisma';
  if (existsSync(join(dir, 'db', 'migrations'))) return 'dbmate';
  if (existsSync(join(dir, 'migrations'))) return 'node-pg-migrate';
  return undefined;
}

function isProgram(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Where migrate-command's program is, found as @actions/exec finds it when the migrations run: a path
 * with a "/" from the working directory, a bare name on PATH. Looked up before the backup, so a typo
 * costs no dump.
 */
function findProgram(program: string, dir: string): string | undefined {
  if (program.includes('/')) return isProgram(resolve(dir, program)) ? program : undefined;
  for (const p of (process.env.PATH ?? '').split(delimiter))
    if (p && isProgram(join(p, program))) return program;
  return undefined;
}

/** The project's own copy first (node_modules/.bin), then PATH. */
function findBin(name: string, dir: string): string | undefined {
  const local = join(dir, 'node_modules', '.bin', name);
  if (existsSync(local)) return local;
  for (const p of (process.env.PATH ?? '').split(delimiter))
    if (p && existsSync(join(p, name))) return join(p, name);
  return undefined;
}

export function resolveMigrationCommand(mode: MigrateMode, dir: string, command: string[]): MigrationCommand {
  if (mode === 'none') return { tool: 'none', program: '', args: [], folder: undefined };
  if (mode === 'command' || (mode === 'auto' && command.length > 0)) {
    if (command.length === 0)
      throw new InputError(
        'migrate-command',
        'is empty while migrate is command',
        'Give the program and its arguments, e.g. npx prisma migrate deploy.',
      );
    const program = command[0] ?? '';
    if (!findProgram(program, dir))
      throw new InputError(
        'migrate-command',
        `runs ${quoteValue(program)}, which is ${program.includes('/') ? `not an executable file in ${dir}` : 'not an executable on PATH'}`,
        'Install the program before this step (npm ci puts project tools in node_modules/.bin: run them with npx), or fix its name.',
      );
    const tool = detectTool(dir);
    return {
      tool: 'command',
      program: command[0] ?? '',
      args: command.slice(1),
      folder: tool ? join(dir, ...FOLDERS[tool]) : undefined,
    };
  }
  const tool = mode === 'auto' ? detectTool(dir) : mode;
  if (!tool) {
    throw new InputError(
      'migrate',
      `is auto but ${dir} has no prisma/schema.prisma, db/migrations or migrations folder`,
      'Set migrate to the tool you use, give migrate-command, or set migrate: none.',
    );
  }
  const folder = join(dir, ...FOLDERS[tool]);
  const binName = tool === 'prisma' ? 'prisma' : tool;
  const program = findBin(binName, dir);
  if (!program) {
    throw new InputError(
      'migrate',
      `uses ${tool}, but no ${binName} was found in ${join(dir, 'node_modules/.bin')} or on PATH`,
      `Install it in the project (npm ci) before this step, or give migrate-command.`,
    );
  }
  // The database URL reaches every tool as DATABASE_URL in its environment, never in its arguments.
  const args =
    tool === 'dbmate'
      ? ['--migrations-dir', folder, '--no-dump-schema', 'up']
      : tool === 'node-pg-migrate'
        ? ['up', '--migrations-dir', folder]
        : ['migrate', 'deploy'];
  return { tool, program, args, folder };
}

/** The pending migrations' files, in the order they run. */
export function pendingFiles(
  tool: MigrationTool | undefined,
  folder: string | undefined,
  pending: string[],
  root: string,
) {
  if (!tool || !folder) return [];
  const byName = new Map(repoMigrations(tool, folder).map((m) => [m.name, m.file]));
  return pending
    .filter((p) => byName.has(p))
    .map((name) => {
      const file = byName.get(name) ?? '';
      return { name, file, display: file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file };
    });
}
