import { describe, expect, it } from 'vitest';
import { formatBackupLocation, locationOf, parseBackupLocation } from '../../src/backup/location.js';

describe('BackupLocation', () => {
  it.each([
    ['path:/runner/backups/clinic-1', { kind: 'path', dir: '/runner/backups/clinic-1' }],
    ['artifact:12/clinic-1', { kind: 'artifact', runId: '12', name: 'clinic-1' }],
    ['artifact:clinic-1', { kind: 'artifact', name: 'clinic-1' }],
  ])('%s parses and formats back unchanged', (text, location) => {
    expect(parseBackupLocation(text)).toEqual(location);
    expect(formatBackupLocation(parseBackupLocation(text))).toBe(text);
  });

  it.each(['s3://b/x', 'path:backups/x', 'path:/a/../b', 'path:/', 'artifact:12/', 'backups/x', ''])(
    '%j is refused',
    (text) => {
      expect(() => parseBackupLocation(text)).toThrow(/is not an? (path |artifact )?backup location/);
    },
  );

  it('is where each store puts a backup', () => {
    expect(formatBackupLocation(locationOf('c-1', { kind: 'path', root: '/b' }))).toBe('path:/b/c-1');
    expect(formatBackupLocation(locationOf('c:1', { kind: 'artifact', runId: '7' }))).toBe('artifact:7/c-1');
  });
});
