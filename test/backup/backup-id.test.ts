import { describe, expect, it } from 'vitest';
import { artifactName } from '../../src/backup/artifact-name.js';
import { runBackupId } from '../../src/backup/backup-id.js';

describe('runBackupId', () => {
  const run = { runId: '7001', runAttempt: 2 };

  it('differs for databases of the same name on two servers in one run (a matrix over projects)', () => {
    const web = runBackupId({ database: 'app', host: 'db.web.internal', port: 5432 }, run);
    const clinics = runBackupId({ database: 'app', host: 'db.clinics.internal', port: 5432 }, run);
    expect(web).toBe('app-db.web.internal-5432-7001-2');
    expect(clinics).not.toBe(web);
    expect(runBackupId({ database: 'app', host: 'db.web.internal', port: 6432 }, run)).not.toBe(web);
  });

  it('names a safety backup apart from the pre-deploy one, and keeps only characters every store accepts', () => {
    const id = runBackupId({ database: 'clinic "a"/b', host: '::1', port: 5432 }, run, 'safety');
    expect(id).toBe('clinic--a--b---1-5432-safety-7001-2');
    expect(artifactName(id)).toBe(id);
  });
});
