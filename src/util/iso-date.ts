const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the years toISOString writes with four digits. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;

const ZERO = 48;
const tens = (n: number): number => ZERO + ((n / 10) | 0);
const units = (n: number): number => ZERO + (n % 10);

/**
 * What `date.toISOString()` returns, by arithmetic on the time value: V8's own takes longer than
 * evaluating a policy rule, and a gate writes its clock into every outcome. Outside years 0–9999 (a
 * signed six-digit year) and for an invalid date (RangeError) it is toISOString itself.
 */
export function toIsoString(date: Date): string {
  const t = date.getTime();
  if (!(t >= FIRST_MS && t <= LAST_MS)) return date.toISOString();
  const days = Math.floor(t / DAY_MS);
  // Small integers from here on (`| 0`): a remainder of doubles is a call into C, ten times slower.
  let rest = (t - days * DAY_MS) | 0;
  // Civil date from days since 1970-01-01 in the proleptic Gregorian calendar, counting years from
  // March so the leap day ends a year (eras of 400 years, 146 097 days).
  const z = (days + 719_468) | 0;
  const era = Math.floor(z / 146_097);
  const dayOfEra = (z - era * 146_097) | 0;
  const yearOfEra =
    ((dayOfEra - ((dayOfEra / 1460) | 0) + ((dayOfEra / 36_524) | 0) - ((dayOfEra / 146_096) | 0)) / 365) | 0;
  const dayOfYear = (dayOfEra - (365 * yearOfEra + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0))) | 0;
  const monthFromMarch = ((5 * dayOfYear + 2) / 153) | 0;
  const day = (dayOfYear - (((153 * monthFromMarch + 2) / 5) | 0) + 1) | 0;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = (yearOfEra + era * 400 + (month <= 2 ? 1 : 0)) | 0;
  const ms = rest % 1000;
  rest = ((rest - ms) / 1000) | 0;
  const seconds = rest % 60;
  rest = ((rest - seconds) / 60) | 0;
  const minutes = rest % 60;
  const hours = ((rest - minutes) / 60) | 0;
  // One flat string from its character codes: joining a dozen short strings costs four times as much.
  const century = (year / 100) | 0;
  const centiMs = (ms / 10) | 0;
  return String.fromCharCode(
    tens(century),
    units(century),
    tens(year % 100),
    units(year),
    45, // -
    tens(month),
    units(month),
    45,
    tens(day),
    units(day),
    84, // T
    tens(hours),
    units(hours),
    58, // :
    tens(minutes),
    units(minutes),
    58,
    tens(seconds),
    units(seconds),
    46, // .
    tens(centiMs),
    units(centiMs),
    units(ms),
    90, // Z
  );
}
