import { fetchText } from './fetch-text.js';

/**
 * The operations guide's incident detection step (`curl …/api/security/incidents/recent | jq
 * '.incidents'`) as a fact: the platform's recent security incidents, and which are still open.
 */
export type IncidentSeverity = 'critical' | 'high' | 'medium' | 'low' | 'unclassified';

export interface IncidentFacts {
  source: string;
  total: number;
  open: number;
  openBySeverity: Record<IncidentSeverity, number>;
  /** The open ones, most severe first (at most 10), for the summary. */
  openIncidents: { id: string; severity: IncidentSeverity; status: string; title: string }[];
}

/** Statuses that end an incident; anything else (open, investigating, contained, none at all) is open. */
const CLOSED = new Set(['resolved', 'closed']);
const SEVERITIES: IncidentSeverity[] = ['critical', 'high', 'medium', 'low'];
const RANK: Record<IncidentSeverity, number> = { unclassified: 5, critical: 4, high: 3, medium: 2, low: 1 };

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** An incident with no severity the gate knows counts as unclassified, which blocks like a critical one. */
function severityOf(value: unknown): IncidentSeverity {
  const s = text(value).toLowerCase();
  return (SEVERITIES as string[]).includes(s) ? (s as IncidentSeverity) : 'unclassified';
}

/**
 * Reads the endpoint within `timeoutMs`. A server that hangs, fails, or answers 200 with anything but
 * `{ "incidents": [ … ] }` (an HTML login page, an error object) fails the collector: the fact is then
 * missing and the policy's required fact blocks the gate. Nothing read is never "no incidents".
 */
export async function collectIncidents(
  source: { url: string; token: string | undefined },
  timeoutMs: number,
): Promise<IncidentFacts> {
  const { status, text: body } = await fetchText(source.url, source.url, timeoutMs, {
    accept: 'application/json',
    ...(source.token ? { authorization: `Bearer ${source.token}` } : {}),
  });
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new Error(`${source.url} answered ${status} with something that is not JSON`);
  }
  const list = (doc as { incidents?: unknown } | null)?.incidents;
  if (!Array.isArray(list) || !list.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i)))
    throw new Error(`${source.url} answered without an "incidents" list of objects`);
  const incidents = (list as Record<string, unknown>[]).map((i, n) => ({
    id: text(i.id) || `#${n + 1}`,
    severity: severityOf(i.severity),
    status: text(i.status).toLowerCase() || 'unknown',
    title: text(i.title ?? i.summary ?? i.name).slice(0, 120),
  }));
  const open = incidents.filter((i) => !CLOSED.has(i.status));
  const openBySeverity: Record<IncidentSeverity, number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    unclassified: 0,
  };
  for (const i of open) openBySeverity[i.severity] += 1;
  return {
    source: source.url,
    total: incidents.length,
    open: open.length,
    openBySeverity,
    openIncidents: open.sort((a, b) => RANK[b.severity] - RANK[a.severity]).slice(0, 10),
  };
}
