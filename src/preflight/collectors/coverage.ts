import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../../errors.js';

export interface CoverageFacts {
  file: string;
  format: 'lcov' | 'istanbul' | 'cobertura';
  /** Percentages, 0 to 100, two decimals; null when the format does not record it. */
  lines: number | null;
  statements: number | null;
  branches: number | null;
  functions: number | null;
}

const pct = (hit: number, total: number) => (total === 0 ? 100 : Math.round((hit / total) * 10000) / 100);

async function fromLcov(text: string): Promise<Omit<CoverageFacts, 'file' | 'format'>> {
  const { lcovParser } = await import('@friedemannsommer/lcov-parser');
  const sections = await lcovParser({ from: text });
  const sum = (key: 'lines' | 'functions' | 'branches') =>
    sections.reduce((acc, s) => ({ hit: acc.hit + s[key].hit, total: acc.total + s[key].instrumented }), {
      hit: 0,
      total: 0,
    });
  const lines = sum('lines');
  const functions = sum('functions');
  const branches = sum('branches');
  // lcov records lines, not statements; line coverage stands in for both.
  return {
    lines: pct(lines.hit, lines.total),
    statements: pct(lines.hit, lines.total),
    branches: pct(branches.hit, branches.total),
    functions: pct(functions.hit, functions.total),
  };
}

function fromIstanbul(data: unknown): Omit<CoverageFacts, 'file' | 'format'> | undefined {
  const total = (data as { total?: Record<string, { pct?: unknown }> }).total;
  if (!total) return undefined;
  const get = (k: string) => (typeof total[k]?.pct === 'number' ? (total[k]?.pct as number) : null);
  return {
    lines: get('lines'),
    statements: get('statements'),
    branches: get('branches'),
    functions: get('functions'),
  };
}

async function fromCobertura(text: string): Promise<Omit<CoverageFacts, 'file' | 'format'> | undefined> {
  const { XMLParser } = await import('fast-xml-parser');
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text) as {
    coverage?: Record<string, string>;
  };
  const c = doc.coverage;
  if (!c || c['line-rate'] === undefined) return undefined;
  const rate = (k: string) => (c[k] === undefined ? null : Math.round(Number(c[k]) * 10000) / 100);
  return {
    lines: rate('line-rate'),
    statements: rate('line-rate'),
    branches: rate('branch-rate'),
    functions: null,
  };
}

/** Percentages from lcov, istanbul's coverage-summary.json or Cobertura XML, told apart by content. */
export async function collectCoverage(path: string, display: string): Promise<CoverageFacts> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(
      'coverage-file',
      `${display} does not exist or cannot be read`,
      'Point coverage-file at the report your test run writes (lcov.info, coverage-summary.json or cobertura-coverage.xml).',
    );
  }
  const unknown = () =>
    new InputError(
      'coverage-file',
      `${display} is not an lcov, istanbul coverage-summary.json or Cobertura XML report`,
      'Use one of those formats (e.g. vitest --coverage.reporter=lcov or json-summary).',
    );
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw unknown();
    }
    const facts = fromIstanbul(data);
    if (!facts) throw unknown();
    return { file: display, format: 'istanbul', ...facts };
  }
  if (trimmed.startsWith('<') || extname(path) === '.xml') {
    const facts = await fromCobertura(text);
    if (!facts) throw unknown();
    return { file: display, format: 'cobertura', ...facts };
  }
  if (/^(TN|SF):/m.test(text)) return { file: display, format: 'lcov', ...(await fromLcov(text)) };
  throw unknown();
}
