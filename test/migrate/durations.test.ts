import { describe, expect, it } from 'vitest';
import { migrationDurations } from '../../src/migrate/durations.js';

describe('migration durations from the tool output', () => {
  it("ends each migration at the last line naming it (dbmate's Applied line), starting where the one before ended", () => {
    const lines = [
      { at: 110, text: 'Applying: 20260301000000_consents.sql' },
      { at: 150, text: 'Applied: 20260301000000_consents.sql in 38ms' },
      { at: 160, text: 'Applying: 20260302000000_audit.sql' },
      { at: 400, text: 'Applied: 20260302000000_audit.sql in 239ms' },
    ];
    expect(migrationDurations(['20260301000000', '20260302000000'], lines, 100)).toEqual({
      '20260301000000': 50,
      '20260302000000': 250,
    });
  });

  it('gives up when a migration is never named: only the total is known then', () => {
    expect(migrationDurations(['a', 'b'], [{ at: 5, text: 'a done' }], 0)).toBeUndefined();
  });
});
