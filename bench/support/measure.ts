import { spawn, spawnSync } from 'node:child_process';

/** BENCH_QUICK=1 (npm run bench -- --quick): fewer rounds and smaller inputs, a smoke run, not a figure. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** A number from the environment, or `normal` (`quick` under BENCH_QUICK). */
export function envNumber(name: string, normal: number, quick = normal): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (QUICK ? quick : normal) : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a number ≥ 0`);
  return value;
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error('no samples');
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** Per-round ratios a[i] / b[i] of two paired sample lists. */
export function pairedRatios(a: number[], b: number[]): number[] {
  if (a.length !== b.length) throw new Error(`unpaired samples: ${a.length} vs ${b.length}`);
  return a.map((v, i) => v / (b[i] ?? Number.NaN));
}

export function formatSpread(s: Spread, unit = '×', digits = 2): string {
  return `median ${s.median.toFixed(digits)}${unit} (min ${s.min.toFixed(digits)}${unit}, max ${s.max.toFixed(digits)}${unit})`;
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Wall time of one process run, in milliseconds. A run that does not exit 0 is an error, never a timing:
 * it throws with the tail of the process's output.
 */
export function timeProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
    ...options,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${tail(`${result.stdout}\n${result.stderr}`)}`,
    );
  return ms;
}

/** timeProcess without blocking this process (for benches that serve HTTP themselves). */
export function timeChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolvePromise(ms);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited with ${code ?? signal}:\n${tail(Buffer.concat(out).toString())}`,
          ),
        );
    });
  });
}

/**
 * Runs the variants in interleaved rounds, the order reversed every other round, so that machine noise
 * (another process, CPU frequency, a warm cache) falls on all of them alike; the first `warmup` rounds are
 * not kept. Returns every variant's samples, index i of each from the same round (paired).
 */
export async function pairedRounds(
  variants: Record<string, () => number | Promise<number>>,
  rounds: number,
  warmup = 1,
  onRound?: (round: number, times: Record<string, number>) => void,
): Promise<Record<string, number[]>> {
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let round = 0; round < rounds + warmup; round++) {
    const order = round % 2 ? [...names].reverse() : names;
    const times: Record<string, number> = {};
    for (const name of order) {
      const run = variants[name];
      if (run) times[name] = await run();
    }
    if (round >= warmup) for (const name of names) samples[name]?.push(times[name] ?? Number.NaN);
    onRound?.(round - warmup, times);
  }
  return samples;
}

/** The synchronous form of pairedRounds, returning each variant's median (kept for the older benches). */
export function interleaved(
  variants: Record<string, () => number>,
  rounds: number,
  warmup = 3,
): Record<string, number> {
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let round = 0; round < rounds + warmup; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      const ms = variants[name]?.() ?? Number.NaN;
      if (round >= warmup) samples[name]?.push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}×`;
}

/** Wall time of one call, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
