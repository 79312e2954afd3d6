/** A line of the tool's output and when it arrived (ms on the performance clock). */
export interface TimedLine {
  at: number;
  text: string;
}

/**
 * Each applied migration's duration, read off the tool's output: a migration ends at the last line that
 * names it (dbmate's "Applied: <file> in …", node-pg-migrate's insert into pgmigrations) and starts where
 * the one before it ended. Undefined when some migration is never named: then only the total is known.
 */
export function migrationDurations(
  applied: string[],
  lines: TimedLine[],
  startedAt: number,
): Record<string, number> | undefined {
  const ends = applied.map((name) => lines.findLast((l) => l.text.includes(name))?.at);
  if (ends.some((e) => e === undefined)) return undefined;
  const result: Record<string, number> = {};
  let previous = startedAt;
  applied.forEach((name, i) => {
    const end = ends[i] ?? previous;
    result[name] = Math.max(0, Math.round(end - previous));
    previous = end;
  });
  return result;
}
