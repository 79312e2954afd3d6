/**
 * A throwaway PostgreSQL cluster on the machine's own binaries, for tests and the demo.
 *
 * Env: PG_BIN (binaries), PG_SANDBOX_USER (server user when running as root, default postgres),
 * PG_SANDBOX_TMPDIR (where clusters live), PG_SANDBOX_TEMPLATE=0 (always run initdb).
 *
 * Self-contained on purpose: the demo runs sandbox code with Node's type stripping, which cannot
 * resolve the `.js` specifiers TypeScript wants for sibling `.ts` files.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import {
  appendFile,
  chown,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface StartPostgresOptions {
  /** TCP port on 127.0.0.1; default a free one. */
  port?: number;
  /** Default a random URL-safe string. */
  superuserPassword?: string;
  /** Must be empty or absent; default a fresh temp dir. Removed by stop(). */
  dataDir?: string;
  /** Default 'postgres'. */
  superuser?: string;
  /** How long start and restart may take before they fail; default 30 s. */
  startTimeoutMs?: number;
}

export interface PgCluster {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly superuser: string;
  readonly password: string;
  readonly binDir: string;
  readonly dataDir: string;
  /** The server's own log, for diagnosing a failed test. */
  readonly logFile: string;
  /** postgresql://user:pass@127.0.0.1:port/db (default db: postgres), percent-encoded. */
  url(dbName?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Runs SQL with psql (unaligned, tuples only, stop on first error); returns its stdout. */
  psql(sql: string, db?: string): Promise<string>;
  /** Fast shutdown, then deletes the data dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Immediate shutdown (pg_ctl -m immediate: no checkpoint, sessions cut); data dir kept. */
  kill(): Promise<void>;
  /** Fast shutdown (if running) and start again on the same port and data. */
  restart(): Promise<void>;
}

const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, postgres) were not found. Install PostgreSQL: apt-get install postgresql ' +
  '(or set PG_BIN to the directory holding initdb).';

function hasInitdb(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

/** PG_BIN, else the newest /usr/lib/postgresql/<major>/bin, else `pg_config --bindir`. */
export async function findPgBinDir(
  opts: { pgBin?: string; libRoot?: string; pgConfig?: string } = {},
): Promise<string> {
  const pgBin = 'pgBin' in opts ? opts.pgBin : process.env.PG_BIN;
  if (pgBin) {
    if (!hasInitdb(pgBin)) {
      throw new Error(`PG_BIN=${pgBin} does not contain initdb and postgres. ${INSTALL_HINT}`);
    }
    return pgBin;
  }
  const libRoot = opts.libRoot ?? '/usr/lib/postgresql';
  const majors = await readdir(libRoot).catch(() => []);
  const newest = majors
    .filter((m) => /^\d+(\.\d+)?$/.test(m))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((m) => join(libRoot, m, 'bin'))
    .find(hasInitdb);
  if (newest !== undefined) return newest;
  try {
    const { stdout } = await execFileAsync(opts.pgConfig ?? 'pg_config', ['--bindir']);
    const dir = stdout.trim();
    if (hasInitdb(dir)) return dir;
  } catch {
    // No pg_config either; fall through to the install hint.
  }
  throw new Error(INSTALL_HINT);
}

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * initdb and postgres refuse to run as root, so as root the server runs as the `postgres` system
 * user (PG_SANDBOX_USER to choose another); otherwise as the current user.
 */
async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.PG_SANDBOX_USER ?? 'postgres';
  let entry = '';
  try {
    entry = (await execFileAsync('getent', ['passwd', name])).stdout.trim();
  } catch {
    // Reported below.
  }
  const [, , uid, gid] = entry.split(':');
  if (uid === undefined || gid === undefined) {
    throw new Error(
      `Running as root, but there is no '${name}' user to run PostgreSQL as (initdb refuses to run as root). ` +
        'apt-get install postgresql creates it; or: useradd --system postgres.',
    );
  }
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** As root the server user needs to traverse every parent of its directories. */
async function assertReachable(path: string, user: ServerUser): Promise<void> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const s = await stat(dir);
    const ok =
      (s.mode & 0o001) !== 0 ||
      (s.uid === user.uid && (s.mode & 0o100) !== 0) ||
      (s.gid === user.gid && (s.mode & 0o010) !== 0);
    if (!ok) {
      throw new Error(
        `The '${user.name}' user cannot enter ${dir} (mode ${(s.mode & 0o777).toString(8)}), so PostgreSQL cannot ` +
          `use ${path}. Put it under a world-traversable directory such as /tmp (set TMPDIR or dataDir).`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  bin: string,
  args: string[],
  opts: { user?: ServerUser | undefined; cwd?: string; env: Record<string, string>; input?: string },
): Promise<Result> {
  return new Promise((res, rej) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Node drops root's supplementary groups when it switches user.
      ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', rej);
    child.once('close', (code) =>
      res({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    // A child that fails before reading its input (psql that cannot connect) closes the pipe; its
    // exit code tells what went wrong, so the EPIPE is not an error of its own.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? res(port) : rej(new Error('could not find a free port'))));
    });
  });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Resolves after `ms`, without keeping the process alive past `promise` settling. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  const abort = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, 'timeout' as const, { signal: abort.signal })]);
  } finally {
    abort.abort();
  }
}

/**
 * Where clusters and the template live: PG_SANDBOX_TMPDIR, else /dev/shm when it is a shared tmpfs
 * with room (initdb there takes 0.7 s instead of 1.7 s on a VM disk, and a copy 70 ms instead of
 * 600 ms), else the OS temp dir. Docker's default 64 MB /dev/shm is too small and is skipped.
 */
export async function sandboxRoot(): Promise<string> {
  if (process.env.PG_SANDBOX_TMPDIR) return process.env.PG_SANDBOX_TMPDIR;
  try {
    const [dir, fs] = await Promise.all([stat('/dev/shm'), statfs('/dev/shm')]);
    if (dir.isDirectory() && (dir.mode & 0o1777) === 0o1777 && fs.bavail * fs.bsize >= 2 ** 30) {
      return '/dev/shm';
    }
  } catch {
    // No /dev/shm (macOS): the OS temp dir.
  }
  return tmpdir();
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface Server {
  child: ChildProcess;
  exited: Promise<Exit>;
}

/** Where one cluster lives and how its programs are run. */
interface Layout {
  binDir: string;
  user: ServerUser | undefined;
  /** Temp dir holding the log (and the data dir unless one was passed in). */
  base: string;
  dataDir: string;
  logFile: string;
  superuser: string;
  env: Record<string, string>;
  /** What stop() deletes. */
  removeOnStop: string[];
}

// Servers still running when the process exits are stopped there, so a crashed test run does not
// leave clusters behind (SIGKILL of this process still can).
const liveServers = new Map<ChildProcess, string[]>();
process.once('exit', () => {
  for (const [child, dirs] of liveServers) {
    child.kill('SIGQUIT');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
});

async function logSince(file: string, offset: number): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).slice(offset);
  return text.trim().split('\n').slice(-25).join('\n');
}

/** initdb into `dataDir` (empty, owned by the server user) with `password` for the superuser. */
async function initdb(layout: Layout, dataDir: string, password: string, scratch: string): Promise<void> {
  const pwFile = join(scratch, `pwfile-${randomBytes(6).toString('hex')}`);
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (layout.user) await chown(pwFile, layout.user.uid, layout.user.gid);
    const args = ['-D', dataDir, '-A', 'scram-sha-256', `--pwfile=${pwFile}`, '-U', layout.superuser];
    // No fsync and no locale: faster, and the same collation on every machine.
    args.push('--no-sync', '--no-locale', '-E', 'UTF8');
    const result = await run(join(layout.binDir, 'initdb'), args, {
      user: layout.user,
      cwd: scratch,
      env: layout.env,
    });
    if (result.code !== 0) {
      throw new Error(`initdb failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    }
  } finally {
    await rm(pwFile, { force: true });
  }
}

interface Template {
  dataDir: string;
  /** The superuser's password in the template; each copy changes it to its own. */
  password: string;
}

const templates = new Map<string, Promise<Template | undefined>>();

/**
 * initdb is most of a start (0.7 s of 0.9 s on tmpfs, 1.6 s of 1.8 s on a VM disk), so its result is
 * kept in a template dir shared by every process on the machine (one per PostgreSQL build,
 * superuser, server user and root dir) and copied: a start from it takes about 0.2 s.
 * Undefined when PG_SANDBOX_TEMPLATE=0 or no trustworthy template can be had: then initdb runs.
 */
async function template(layout: Layout): Promise<Template | undefined> {
  if (process.env.PG_SANDBOX_TEMPLATE === '0') return undefined;
  const uid = layout.user?.uid ?? process.getuid?.() ?? -1;
  const build = await stat(join(layout.binDir, 'postgres'));
  const root = dirname(layout.base);
  const key = createHash('sha256')
    .update([layout.binDir, build.mtimeMs, build.size, layout.superuser, uid, root].join('\0'))
    .digest('hex')
    .slice(0, 16);
  let pending = templates.get(key);
  if (pending === undefined) {
    pending = loadOrBuildTemplate(layout, join(root, `pg-sandbox-template-${key}`), uid);
    templates.set(key, pending);
    // A failed build is retried by the next start rather than remembered.
    pending.catch(() => templates.delete(key));
  }
  return pending;
}

async function readTemplate(dir: string, uid: number): Promise<Template | undefined> {
  try {
    const s = await stat(dir);
    // Only a private dir of the server user is trusted: the temp dir is shared with every local user.
    if (s.uid !== uid || (s.mode & 0o077) !== 0) return undefined;
    const dataDir = join(dir, 'data');
    // A temp cleaner may have removed old files; a template missing its core files is not used.
    await Promise.all([stat(join(dataDir, 'PG_VERSION')), stat(join(dataDir, 'global', 'pg_control'))]);
    return { dataDir, password: await readFile(join(dir, 'password'), 'utf8') };
  } catch {
    return undefined;
  }
}

async function loadOrBuildTemplate(layout: Layout, dir: string, uid: number): Promise<Template | undefined> {
  const existing = await readTemplate(dir, uid);
  if (existing !== undefined) return existing;
  const build = await mkdtemp(`${dir}.build-`);
  try {
    const dataDir = join(build, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    if (layout.user) for (const path of [build, dataDir]) await chown(path, layout.user.uid, layout.user.gid);
    const password = randomBytes(18).toString('base64url');
    await initdb(layout, dataDir, password, build);
    const passwordFile = join(build, 'password');
    await writeFile(passwordFile, password, { mode: 0o600 });
    // The same template serves a root run and a run as the server user itself.
    if (layout.user) await chown(passwordFile, layout.user.uid, layout.user.gid);
    // Atomic publish; when another process got there first the rename fails and its template is used.
    await rename(build, dir).catch(() => undefined);
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  return readTemplate(dir, uid);
}

/**
 * Creates the directories so the server user can use them, fills the data dir (from the template,
 * or initdb) and writes the sandbox settings. Returns the password to change from, for a template copy.
 */
async function initCluster(
  layout: Layout,
  password: string,
  dataDirGiven: boolean,
): Promise<string | undefined> {
  const { base, dataDir, logFile, user } = layout;
  if (dataDirGiven) {
    const entries = await readdir(dataDir).catch(() => []);
    if (entries.length > 0) throw new Error(`dataDir ${dataDir} is not empty`);
    await mkdir(dirname(dataDir), { recursive: true, mode: 0o755 });
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(logFile, '');
  if (user) {
    for (const path of [base, dataDir, logFile]) await chown(path, user.uid, user.gid);
    await assertReachable(base, user);
    await assertReachable(dataDir, user);
  }

  const source = await template(layout);
  if (source === undefined) {
    await initdb(layout, dataDir, password, base);
  } else {
    // As the server user, so the copy is its own; -a keeps the modes postgres insists on.
    const cp = await run('cp', ['-a', `${source.dataDir}/.`, dataDir], { user, cwd: base, env: layout.env });
    if (cp.code !== 0) {
      throw new Error(`copying the initdb template ${source.dataDir} failed: ${cp.stderr.trim()}`);
    }
  }

  // The socket path must fit in sun_path (108 bytes); fall back to the (shorter) temp dir.
  const socketDir = Buffer.byteLength(join(dataDir, '.s.PGSQL.65535')) < 108 ? dataDir : base;
  const settings = [
    '',
    '# deploy-gates sandbox: a throwaway cluster, so durability against OS crashes is traded for speed.',
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = ${quoteLiteral(socketDir)}`,
    'fsync = off',
    'full_page_writes = off',
    // Not off: an asynchronous commit is lost when kill() cuts the server, so a crash test would
    // see committed rows vanish, which a real database does not do. With fsync off it costs a write().
    'synchronous_commit = on',
    "log_line_prefix = '%m [%p] '",
    '',
  ];
  await appendFile(join(dataDir, 'postgresql.conf'), settings.join('\n'));
  return source?.password;
}

/** Starts postgres and resolves once it accepts connections; rejects with its log if it exits first. */
async function launch(layout: Layout, port: number, timeoutMs: number): Promise<Server> {
  const { binDir, user, logFile } = layout;
  const logOffset = (await stat(logFile)).size;
  const log = await open(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(join(binDir, 'postgres'), ['-D', layout.dataDir, '-p', String(port)], {
      cwd: layout.base,
      env: layout.env,
      // Its own session: Ctrl-C in a terminal reaches the CLI, which shuts the server down in order.
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
  } finally {
    await log.close();
  }
  // A running cluster must not keep a test process alive; stop() and the exit hook end it.
  child.unref();
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
    child.once('error', (error) => res({ code: null, signal: null, error }));
  }).then((e) => {
    exit = e;
    liveServers.delete(child);
    return e;
  });
  liveServers.set(child, layout.removeOnStop);

  const deadline = Date.now() + timeoutMs;
  const isReady = [
    '-q',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    layout.superuser,
    '-d',
    'postgres',
    '-t',
    '1',
  ];
  // Backoff from 10 ms to 250 ms: a fresh cluster usually accepts within a few hundred ms.
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    // Raced against the exit: when something else holds the port, the probe would wait out its timeout.
    const probe = run(join(binDir, 'pg_isready'), isReady, { env: layout.env });
    const ready = await Promise.race([probe.then((r) => r.code === 0), exited.then(() => false)]);
    if (ready && exit === undefined) return { child, exited };
    if (exit !== undefined) {
      const reason = exit.error ? exit.error.message : `exit ${exit.code ?? exit.signal}`;
      const text = await logSince(logFile, logOffset);
      throw Object.assign(new Error(`postgres failed to start (${reason}):\n${text}`), { log: text });
    }
    if (Date.now() > deadline) {
      child.kill('SIGQUIT');
      await within(exited, 10_000);
      throw new Error(
        `postgres did not accept connections within ${timeoutMs} ms:\n${await logSince(logFile, logOffset)}`,
      );
    }
    await within(exited, delay);
  }
}

/** SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one; SIGKILL if it hangs. */
async function shutdown(server: Server, signal: 'SIGINT' | 'SIGQUIT'): Promise<void> {
  server.child.kill(signal);
  if ((await within(server.exited, 30_000)) === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

function psqlRunner(
  layout: Layout,
  port: number,
  password: string,
): (sql: string, db?: string) => Promise<string> {
  return async (sql, db = 'postgres') => {
    const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port)];
    args.push('-U', layout.superuser, '-d', db);
    // A clean environment, so a PGHOST or PGDATABASE of the caller cannot redirect it.
    const env = { PATH: layout.env.PATH ?? '', LC_ALL: 'C', PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' };
    const result = await run(join(layout.binDir, 'psql'), args, { env, input: sql });
    if (result.code !== 0) {
      throw new Error(`psql on ${db} failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    return result.stdout.endsWith('\n') ? result.stdout.slice(0, -1) : result.stdout;
  };
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgCluster> {
  const password = opts.superuserPassword ?? randomBytes(18).toString('base64url');
  if (/[\r\n]/.test(password)) {
    throw new Error('superuserPassword must be a single line (initdb reads one line)');
  }
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const binDir = await findPgBinDir();
  const user = await serverUser();
  const base = await mkdtemp(join(await sandboxRoot(), 'pg-sandbox-'));
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : join(base, 'data');
  const layout: Layout = {
    binDir,
    user,
    base,
    dataDir,
    logFile: join(base, 'postgres.log'),
    superuser: opts.superuser ?? 'postgres',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' },
    removeOnStop: relative(base, dataDir).startsWith('..') ? [base, dataDir] : [base],
  };

  let server: Server | undefined;
  let port = opts.port ?? 0;
  try {
    const templatePassword = await initCluster(layout, password, opts.dataDir !== undefined);
    // A free port can be taken by someone else before postgres binds it; then pick another.
    for (let attempt = 1; server === undefined; attempt++) {
      if (opts.port === undefined) port = await freePort();
      try {
        server = await launch(layout, port, timeoutMs);
      } catch (err) {
        const log = (err as { log?: string }).log ?? '';
        if (opts.port !== undefined || attempt >= 3 || !log.includes('Address already in use')) throw err;
      }
    }
    if (templatePassword !== undefined && templatePassword !== password) {
      const alter = `ALTER ROLE ${quoteIdent(layout.superuser)} PASSWORD ${quoteLiteral(password)}`;
      await psqlRunner(layout, port, templatePassword)(alter);
    }
  } catch (err) {
    for (const dir of layout.removeOnStop) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let stopped = false;
  const psql = psqlRunner(layout, port, password);
  return {
    host: '127.0.0.1',
    port,
    superuser: layout.superuser,
    password,
    binDir,
    dataDir,
    logFile: layout.logFile,
    url: (dbName = 'postgres') =>
      `postgresql://${encodeURIComponent(layout.superuser)}:${encodeURIComponent(password)}` +
      `@127.0.0.1:${port}/${encodeURIComponent(dbName)}`,
    createDatabase: async (name) => {
      await psql(`CREATE DATABASE ${quoteIdent(name)}`);
    },
    psql,
    stop: async () => {
      if (server) await shutdown(server, 'SIGINT');
      server = undefined;
      if (stopped) return;
      stopped = true;
      for (const dir of layout.removeOnStop) await rm(dir, { recursive: true, force: true });
    },
    kill: async () => {
      if (server) await shutdown(server, 'SIGQUIT');
      server = undefined;
    },
    restart: async () => {
      if (stopped) throw new Error('restart after stop: the data dir is gone');
      if (server) await shutdown(server, 'SIGINT');
      server = undefined;
      server = await launch(layout, port, timeoutMs);
    },
  };
}
