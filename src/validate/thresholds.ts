import { InputError } from '../errors.js';
import { SEVERITIES, type Severity } from '../policy/types.js';

/** What a threshold measures over the samples of its target. Latencies in ms; error_rate as a fraction. */
export const METRICS = ['avg', 'min', 'med', 'p90', 'p95', 'p99', 'max', 'error_rate'] as const;
export type Metric = (typeof METRICS)[number];
export const OPERATORS = ['<', '<=', '>', '>=', '=='] as const;
export type Operator = (typeof OPERATORS)[number];

/** `all`, every check; `tag:<tag>`, the checks with that tag; `check:<name>`, one check. */
export type Target = 'all' | `tag:${string}` | `check:${string}`;

export interface Threshold {
  /** `<target>:<expression>` as written, so a waiver's scope or a report names it exactly. */
  id: string;
  target: Target;
  metric: Metric;
  op: Operator;
  limit: number;
  severity: Severity;
  /** Where the value came from: the playbook line for defaults, the input otherwise. */
  source: string;
}

const MONITORING = 'Playbook, Monitoring During Deployment: Key Metrics to Watch';
const TRIGGERS =
  'Playbook, Rollback Procedures: Immediate Rollback Triggers (> 5% error rate or > 30s response times)';
const MEDIUM = 'Playbook, Alert Thresholds: Medium (> 2% error rate or > 10s response times)';

/** The playbook's numbers; a user's `thresholds` line for the same target and metric replaces one. */
export const DEFAULT_THRESHOLDS = `
all: p95<2000, error_rate<0.01
all: error_rate<=0.05@critical, max<=30000@critical
all: error_rate<=0.02@medium, max<=10000@medium
tag:database: p95<500
tag:compliance: error_rate==0@critical
`;
const DEFAULT_SOURCES: Record<string, string> = {
  'all:p95<2000': `${MONITORING} (API Response Time < 2s)`,
  'all:error_rate<0.01': `${MONITORING} (Error Rate < 1%)`,
  'all:error_rate<=0.05@critical': TRIGGERS,
  'all:max<=30000@critical': TRIGGERS,
  'all:error_rate<=0.02@medium': MEDIUM,
  'all:max<=10000@medium': MEDIUM,
  'tag:database:p95<500': `${MONITORING} (Database Performance: Queries < 500ms)`,
  'tag:compliance:error_rate==0@critical': 'Playbook, Key Metrics: Compliance Status: All checks passing',
};

const EXPRESSION =
  /^(avg|min|med|p\(?(?:90|95|99)\)?|max|error_rate)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*(?:@\s*([a-z]+))?$/;

function parseTarget(raw: string, line: string): Target {
  if (raw === 'all') return 'all';
  const m = /^(tag|check):(.+)$/.exec(raw);
  if (m?.[2]?.trim()) return `${m[1]}:${m[2].trim()}` as Target;
  throw new InputError(
    'thresholds',
    `"${line}" names the target "${raw}"`,
    'Start each line with all:, tag:<tag>: or check:<name>: followed by expressions such as p95<2000, error_rate<0.01, max<30000@critical.',
  );
}

function parseExpression(raw: string, target: Target, line: string): Threshold {
  const m = EXPRESSION.exec(raw.trim());
  if (!m) {
    throw new InputError(
      'thresholds',
      `"${raw.trim()}" in "${line}" is not a threshold expression`,
      `Write <metric><op><number>[@severity] with a metric of ${METRICS.join(', ')} (p(95) is accepted too), an operator of ${OPERATORS.join(' ')}, and a severity of ${SEVERITIES.join(', ')}.`,
    );
  }
  const metric = (m[1] ?? '').replace(/[()]/g, '') as Metric;
  const severity = (m[4] ?? 'high') as Severity;
  if (!SEVERITIES.includes(severity)) {
    throw new InputError(
      'thresholds',
      `"${raw.trim()}" has the severity "${severity}"`,
      `Use one of ${SEVERITIES.join(', ')}.`,
    );
  }
  const limit = Number(m[3]);
  if (metric === 'error_rate' && (limit < 0 || limit > 1)) {
    throw new InputError(
      'thresholds',
      `"${raw.trim()}" gives error_rate ${limit}`,
      'error_rate is a fraction between 0 and 1: 1 % is error_rate<0.01.',
    );
  }
  if (limit < 0) {
    throw new InputError(
      'thresholds',
      `"${raw.trim()}" gives ${metric} a negative bound`,
      `${metric} is a latency in ms, 0 or more: write e.g. ${metric}<2000.`,
    );
  }
  const op = m[2] as Operator;
  const expression = `${metric}${op}${m[3]}${m[4] ? `@${severity}` : ''}`;
  return { id: `${target}:${expression}`, target, metric, op, limit, severity, source: 'input thresholds' };
}

/** Lines of `<target>: <expr>, <expr>`; blank lines and `#` comments are skipped. */
export function parseThresholds(text: string): Threshold[] {
  const out: Threshold[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (!line) continue;
    // The target ends at the last ':' before the first expression (check names may hold ':').
    const m = /^(.*?):\s*((?:avg|min|med|p\(?\d+\)?|max|error_rate)\b.*)$/.exec(line);
    if (!m) {
      throw new InputError(
        'thresholds',
        `"${line}" has no target and expressions`,
        'Write one target per line, e.g. "all: p95<2000, error_rate<0.01" or "tag:database: p95<500".',
      );
    }
    const target = parseTarget((m[1] ?? '').trim(), line);
    for (const expr of (m[2] ?? '').split(',')) out.push(parseExpression(expr, target, line));
  }
  return out;
}

/**
 * A threshold of the user's whose `check:` or `tag:` target no check has measures nothing, and a
 * threshold over nothing would pass: it is a typo to name, not a gate to skip. The playbook's defaults
 * (tag:database, tag:compliance) may name tags a project's checks do not use.
 */
export function assertTargetsExist(
  thresholds: Threshold[],
  checks: { name: string; tags?: string[] }[],
  checksSource: string,
): void {
  const names = new Set(checks.map((c) => c.name));
  const tags = new Set(checks.flatMap((c) => c.tags ?? []));
  for (const t of thresholds) {
    if (t.source !== 'input thresholds' || t.target === 'all') continue;
    const [kind, name] = [t.target.slice(0, 3), t.target.slice(t.target.indexOf(':') + 1)];
    const known = kind === 'tag' ? tags : names;
    if (known.has(name)) continue;
    const list = [...known].slice(0, 8).map((n) => `"${n}"`);
    throw new InputError(
      'thresholds',
      `"${t.id}" names the ${kind === 'tag' ? 'tag' : 'check'} "${name}", which none of the checks (${checksSource}) has`,
      `Name one of ${list.join(', ') || 'the checks'}${known.size > list.length ? ', …' : ''}, or target all.`,
    );
  }
}

/** The playbook's defaults with the user's lines laid over them (same target, metric and severity replace). */
export function effectiveThresholds(userText: string): Threshold[] {
  const defaults = parseThresholds(DEFAULT_THRESHOLDS).map((t) => ({
    ...t,
    source: DEFAULT_SOURCES[t.id] ?? 'playbook',
  }));
  const user = parseThresholds(userText);
  const key = (t: Threshold) => `${t.target}|${t.metric}|${t.severity}`;
  const replaced = new Set(user.map(key));
  return [...defaults.filter((t) => !replaced.has(key(t))), ...user];
}

export function holds(measured: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<':
      return measured < limit;
    case '<=':
      return measured <= limit;
    case '>':
      return measured > limit;
    case '>=':
      return measured >= limit;
    case '==':
      return measured === limit;
  }
}
