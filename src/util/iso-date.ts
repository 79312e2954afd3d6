const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the years toISOString writes with four digits. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;

// Written once: turning numbers into strings is most of the cost of formatting a date.
const TWO = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
const pad2 = (n: number): string => TWO[n] as string;

/**
 * What `date.toISOString()` returns, by arithmetic on the time value: V8's own takes longer than
 * evaluating a policy rule, and a gate writes its clock into every outcome. Outside years 0–9999 (a
 * signed six-digit year) and for an invalid date (RangeError) it is toISOString itself.
 */
export function toIsoString(date: Date): string {
  const t = date.getTime();
  if (!(t >= FIRST_MS && t <= LAST_MS)) return date.toISOString();
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  // Civil date from days since 1970-01-01 in the proleptic Gregorian calendar, counting years from
  // March so the leap day ends a year (eras of 400 years, 146 097 days).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${pad2(Math.floor(year / 100))}${pad2(year % 100)}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${THREE[ms]}Z`;
}
