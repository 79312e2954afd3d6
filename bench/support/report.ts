import { appendFileSync } from 'node:fs';
import { formatSpread, type Spread, spread } from './measure.js';

/**
 * One row of `npm run bench`'s closing table: a figure (a paired ratio per round), its goal and what was
 * measured. Printed here, and appended as a JSON line to BENCH_RESULTS when scripts/bench.mjs runs the bench.
 */
export interface BenchRow {
  /** Row key, in the order: scripts/bench.mjs sorts the table by it. */
  key: string;
  figure: string;
  /** `<=` or `>=` the goal value. */
  goal: { op: '<=' | '>='; value: number };
  /** One ratio per round. */
  ratios: number[];
  /** What the figure used (sizes, settings). */
  note?: string;
}

export interface RowResult {
  key: string;
  figure: string;
  goal: string;
  measured: Spread;
  met: boolean;
  note?: string;
}

export function reportRow(row: BenchRow): RowResult {
  const measured = spread(row.ratios);
  const met = row.goal.op === '<=' ? measured.median <= row.goal.value : measured.median >= row.goal.value;
  const goal = `${row.goal.op === '<=' ? '≤' : '≥'} ${row.goal.value}×`;
  const result: RowResult = { key: row.key, figure: row.figure, goal, measured, met };
  if (row.note) result.note = row.note;
  console.log(
    `  ${row.figure}: ${formatSpread(measured)} over ${row.ratios.length} paired rounds; goal ${goal}: ${met ? 'met' : 'NOT met'}` +
      (row.note ? ` [${row.note}]` : ''),
  );
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(result)}\n`);
  return result;
}

/** A row that could not be measured (a run failed): the table shows it as an error, not a figure. */
export function reportError(key: string, figure: string, goal: string, error: unknown): void {
  const full = error instanceof Error ? error.message : String(error);
  const message = full.split('\n')[0] ?? '';
  console.error(`  ${figure}: ERROR ${full}`);
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ key, figure, goal, error: message })}\n`);
}
