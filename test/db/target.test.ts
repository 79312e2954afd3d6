import { describe, expect, it } from 'vitest';
import { readDatabaseTarget } from '../../src/db/target.js';
import { InputError } from '../../src/errors.js';

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';

function read(inputs: Record<string, string>, opts?: { name?: string }) {
  const masked: string[] = [];
  const run = () => readDatabaseTarget(reader(inputs), (s) => masked.push(s), opts);
  return { masked, run };
}

describe('readDatabaseTarget', () => {
  it('parses the URL and masks it whole and its password, decoded and as written', () => {
    const url = 'postgresql://app:p%40ss@db.internal:5433/main?sslmode=require';
    const { masked, run } = read({ 'database-url': url });
    expect(run()).toEqual({
      host: 'db.internal',
      port: 5433,
      user: 'app',
      password: 'p@ss',
      database: 'main',
      params: { sslmode: 'require' },
      url,
      input: 'database-url',
    });
    expect(masked).toEqual([url, 'p%40ss', 'p@ss']);
  });

  it('a value that is not a postgresql URL is an input error, masked before it is read', () => {
    const { masked, run } = read({ 'db-url': 'mysql://u:hunter2@h/db' }, { name: 'db-url' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(expect.objectContaining({ input: 'db-url', problem: 'has the scheme "mysql:"' }));
    expect(masked).toContain('mysql://u:hunter2@h/db');
    expect(masked).toContain('hunter2');
  });

  it('empty: an error, or no target when optional', () => {
    expect(read({}).run).toThrow(
      expect.objectContaining({ input: 'database-url', problem: 'is required but empty' }),
    );
    expect(readDatabaseTarget(reader({}), () => undefined, { optional: true })).toBeUndefined();
  });
});
