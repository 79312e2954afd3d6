import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readClock } from '../../src/compliance/clock.js';
import { deriveComplianceFacts, readManifest } from '../../src/compliance/manifest.js';
import { InputError } from '../../src/errors.js';
import { workspace } from '../policy/helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const NOW = new Date('2026-03-10T05:30:00Z');
const att = (date: string) => ({ value: true, evidence: 'https://e', attestedBy: 'a@b', date });

describe('deriveComplianceFacts', () => {
  it('adds ageDays to every attestation, counting whole days', () => {
    const facts = deriveComplianceFacts(
      {
        lgpd: {
          encryptionAtRest: att('2026-02-20'),
          auditLogging: att('2026-03-09T23:00:00-03:00'),
          incidentRegister: att('2026-03-11'),
        },
        securityAssessment: att('2025-12-10T05:30:00Z'),
      },
      NOW,
    );
    expect(facts).toMatchObject({
      lgpd: {
        encryptionAtRest: { ageDays: 18, value: true },
        auditLogging: { ageDays: 0 },
        // Dated in the future: negative, which every policy rejects.
        incidentRegister: { ageDays: -1 },
      },
      securityAssessment: { ageDays: 90 },
    });
  });

  it('adds ageHours to notifications, to a tenth of an hour', () => {
    const facts = deriveComplianceFacts(
      { notifications: { dpo: { who: 'dpo@neonpro.healthcare', when: '2026-03-09T09:00:00-03:00' } } },
      NOW,
    );
    expect(facts).toMatchObject({ notifications: { dpo: { ageHours: 17.5 } } });
  });

  it('adds daysLeft next to validUntil: a bare date is valid through that day', () => {
    const reg = (validUntil: string) =>
      deriveComplianceFacts(
        { anvisa: { registration: { ...att('2026-01-01'), value: { validUntil } } } },
        NOW,
      ) as {
        anvisa: { registration: { value: { daysLeft: number } } };
      };
    expect(reg('2026-03-10').anvisa.registration.value.daysLeft).toBe(0);
    expect(reg('2026-03-09').anvisa.registration.value.daysLeft).toBe(-1);
    expect(reg('2026-06-08').anvisa.registration.value.daysLeft).toBe(90);
    expect(reg('2026-03-10T05:00:00Z').anvisa.registration.value.daysLeft).toBe(-1);
  });

  it('does not change the manifest it is given', () => {
    const manifest = { lgpd: { encryptionAtRest: att('2026-02-20') } };
    deriveComplianceFacts(manifest, NOW);
    expect(manifest.lgpd.encryptionAtRest).not.toHaveProperty('ageDays');
  });
});

describe('readManifest', () => {
  it('reads the example manifest and its digest', async () => {
    const path = join(ROOT, 'examples/compliance/compliance.json');
    const manifest = await readManifest(path, 'compliance.json', 'manifest');
    expect(manifest.data).not.toHaveProperty('$schema');
    expect(manifest.data).toHaveProperty('anvisa.registration.value.number', '80117580123');
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads YAML', async () => {
    const ws = workspace({
      'c.yaml':
        'lgpd:\n  encryptionAtRest:\n    value: true\n    evidence: https://e\n    attestedBy: sec\n    date: 2026-02-20\n',
    });
    const manifest = await readManifest(join(ws, 'c.yaml'), 'c.yaml', 'manifest');
    expect(manifest.data).toEqual({
      lgpd: {
        encryptionAtRest: { value: true, evidence: 'https://e', attestedBy: 'sec', date: '2026-02-20' },
      },
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ['a list', [], /c\.json must hold one object/],
    ['a misspelt section', { lgdp: {} }, /line 2: \/ has an unknown property "lgdp"/],
    [
      'an attestation without evidence',
      { lgpd: { encryptionAtRest: { value: true, attestedBy: 'x', date: '2026-01-01' } } },
      /\/lgpd\/encryptionAtRest is missing the required property "evidence"/,
    ],
    [
      'a date that is not a date',
      { securityAssessment: { ...att('last week'), value: { completed: true, criticalFindings: 0 } } },
      /\/securityAssessment\/date must match pattern/,
    ],
    [
      'a computed field written by hand',
      { lgpd: { encryptionAtRest: { ...att('2026-01-01'), ageDays: 0 } } },
      /\/lgpd\/encryptionAtRest has an unknown property "ageDays"/,
    ],
  ];
  for (const [name, content, message] of bad) {
    it(`rejects ${name} as bad input naming the manifest`, async () => {
      const ws = workspace({ 'c.json': content });
      const read = readManifest(join(ws, 'c.json'), 'c.json', 'manifest');
      await expect(read).rejects.toThrow(InputError);
      await expect(readManifest(join(ws, 'c.json'), 'c.json', 'manifest')).rejects.toThrow(message);
    });
  }
});

describe('readClock', () => {
  it('uses the system clock unless the clock-override input is given, and keeps the system time beside it', () => {
    const system = new Date('2026-12-05T23:50:00Z');
    expect(readClock('', system)).toEqual({ now: system, source: 'system', system });
    expect(readClock(' 2026-03-10T05:30:00Z ', system)).toEqual({
      now: new Date('2026-03-10T05:30:00Z'),
      source: 'clock-override',
      system,
    });
    expect(() => readClock('2026-03-10')).toThrow(/^Input "clock-override": "2026-03-10" is not an ISO-8601/);
  });
});
