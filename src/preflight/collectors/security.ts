import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors.js';

export type FindingSeverity = 'critical' | 'high' | 'medium' | 'low' | 'note';
type Counts = Record<FindingSeverity, number>;

export interface SecurityFacts {
  files: string[];
  total: number;
  bySeverity: Counts;
  byTool: Record<string, Counts>;
}

const empty = (): Counts => ({ critical: 0, high: 0, medium: 0, low: 0, note: 0 });

/** GitHub code scanning's mapping: security-severity ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low; else the SARIF level. */
export function severityOf(level: string | undefined, securitySeverity: unknown): FindingSeverity {
  const score = Number(securitySeverity);
  if (securitySeverity !== undefined && Number.isFinite(score)) {
    if (score >= 9) return 'critical';
    if (score >= 7) return 'high';
    if (score >= 4) return 'medium';
    return 'low';
  }
  if (level === 'error') return 'high';
  if (level === 'warning') return 'medium';
  if (level === 'note') return 'low';
  return 'note';
}

interface SarifRun {
  tool?: {
    driver?: {
      name?: string;
      rules?: {
        id?: string;
        properties?: Record<string, unknown>;
        defaultConfiguration?: { level?: string };
      }[];
    };
  };
  results?: { ruleId?: string; ruleIndex?: number; level?: string; properties?: Record<string, unknown> }[];
}

export async function collectSecurity(files: { path: string; display: string }[]): Promise<SecurityFacts> {
  const facts: SecurityFacts = {
    files: files.map((f) => f.display),
    total: 0,
    bySeverity: empty(),
    byTool: {},
  };
  for (const file of files) {
    let doc: { runs?: SarifRun[] };
    try {
      doc = JSON.parse(await readFile(file.path, 'utf8'));
    } catch {
      throw new InputError(
        'sarif-files',
        `${file.display} is not a readable SARIF (JSON) file`,
        'List SARIF 2.1.0 files written by your scanners (CodeQL, Trivy, Semgrep...).',
      );
    }
    if (!Array.isArray(doc.runs)) {
      throw new InputError(
        'sarif-files',
        `${file.display} has no "runs" array`,
        'List SARIF 2.1.0 files written by your scanners.',
      );
    }
    for (const run of doc.runs) {
      const tool = run.tool?.driver?.name ?? 'unknown';
      const rules = run.tool?.driver?.rules ?? [];
      facts.byTool[tool] ??= empty();
      const counts = facts.byTool[tool];
      for (const result of run.results ?? []) {
        const rule =
          result.ruleIndex !== undefined
            ? rules[result.ruleIndex]
            : rules.find((r) => r.id === result.ruleId);
        const score = result.properties?.['security-severity'] ?? rule?.properties?.['security-severity'];
        const severity = severityOf(result.level ?? rule?.defaultConfiguration?.level ?? 'warning', score);
        counts[severity]++;
        facts.bySeverity[severity]++;
        facts.total++;
      }
    }
  }
  return facts;
}
