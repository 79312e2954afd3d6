import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readVercelTarget } from '../../src/vercel/target.js';

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
const base = { 'vercel-token': 'tok_1', 'vercel-project': 'web' };

describe('readVercelTarget', () => {
  it('reads the project in Vercel, by default at api.vercel.com', () => {
    expect(readVercelTarget(reader({ ...base, 'vercel-team': 'team_1' }))).toEqual({
      token: 'tok_1',
      project: 'web',
      teamId: 'team_1',
      apiUrl: 'https://api.vercel.com',
    });
  });

  it.each([
    ['vercel-api-url', 'http://127.0.0.1:3000/'],
    ['api-url', 'http://127.0.0.1:3000'],
  ])('takes the API URL from %s, without a trailing slash', (name, url) => {
    expect(readVercelTarget(reader({ ...base, [name]: url })).apiUrl).toBe('http://127.0.0.1:3000');
  });

  it('both URL names may be set when they agree, not when they differ', () => {
    const both = { ...base, 'vercel-api-url': 'https://a.example', 'api-url': 'https://a.example/' };
    expect(readVercelTarget(reader(both)).apiUrl).toBe('https://a.example');
    expect(() => readVercelTarget(reader({ ...both, 'api-url': 'https://b.example' }))).toThrow(
      expect.objectContaining({ input: 'vercel-api-url' }),
    );
  });

  it.each([
    [{ 'vercel-project': 'web' }, 'vercel-token', 'is required but empty'],
    [{ 'vercel-token': 'tok' }, 'vercel-project', 'is required but empty'],
    [
      { ...base, 'vercel-token': 'tok en' },
      'vercel-token',
      'contains a line break, space or control character',
    ],
    [{ ...base, 'vercel-team': 'a\nb' }, 'vercel-team', '"a\\nb" contains a line break or control character'],
    [{ ...base, 'api-url': 'ftp://x' }, 'api-url', 'has the scheme "ftp:", not http: or https:'],
  ])('%j is an input error on %s', (inputs, input, problem) => {
    const read = () => readVercelTarget(reader(inputs));
    expect(read).toThrow(InputError);
    expect(read).toThrow(expect.objectContaining({ input, problem }));
  });

  it('optional: nothing set is no target, one of token and project alone is an error', () => {
    expect(readVercelTarget(reader({}), { optional: true })).toBeUndefined();
    expect(() => readVercelTarget(reader({ 'vercel-token': 't' }), { optional: true })).toThrow(
      expect.objectContaining({ input: 'vercel-project', problem: 'is empty while vercel-token is set' }),
    );
    expect(() => readVercelTarget(reader({ 'vercel-project': 'p' }), { optional: true })).toThrow(
      expect.objectContaining({ input: 'vercel-token', problem: 'is empty while vercel-project is set' }),
    );
  });
});
