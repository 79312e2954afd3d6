/** The playbook's post-deployment watch: when each check is due after the deployment went live. */
export const HORIZONS = [
  { id: 'T+1h', afterMs: 3_600_000, what: 'final validation' },
  { id: 'T+24h', afterMs: 24 * 3_600_000, what: 'health, error rate and performance after a day' },
  { id: 'T+1w', afterMs: 7 * 24 * 3_600_000, what: 'the week report' },
] as const;

export type HorizonId = (typeof HORIZONS)[number]['id'];

/** The description of the deployment status that records a horizon: its durable marker. */
export const markerPrefix = (id: HorizonId) => `deploy-gates watch ${id}:`;

/** The horizons recorded in these status descriptions. */
export function recordedHorizons(descriptions: readonly string[]): Set<HorizonId> {
  return new Set(
    HORIZONS.filter((h) => descriptions.some((d) => d.startsWith(markerPrefix(h.id)))).map((h) => h.id),
  );
}

/** The horizons due at `elapsedMs` after the deployment went live and not recorded yet, earliest first. */
export function dueHorizons(elapsedMs: number, recorded: ReadonlySet<HorizonId>): HorizonId[] {
  return HORIZONS.filter((h) => elapsedMs >= h.afterMs && !recorded.has(h.id)).map((h) => h.id);
}
