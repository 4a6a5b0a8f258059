/**
 * Calendar dates without time zones: a record date is a day on the ward's calendar,
 * so going through `Date` (and the host's time zone) could only introduce off-by-one errors.
 */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

// Non-global, so `exec` keeps no state between calls. `\d` is ASCII-only without the `u` flag.
const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidCalendarDate(date: CalendarDate): boolean {
  const { year, month, day } = date;
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= MIN_YEAR &&
    year <= MAX_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/**
 * Parses 'MM/DD/YYYY' (the records' format) or ISO 'YYYY-MM-DD'. Strict on purpose: exactly two
 * digits for month and day, no surrounding whitespace, a real calendar date, years 1000-9999.
 * Anything else is null so that callers can reject the record instead of scoring a guess.
 */
export function parseRecordDate(text: string): CalendarDate | null {
  if (typeof text !== 'string') return null;
  let date: CalendarDate;
  const us = US_DATE.exec(text);
  if (us !== null) {
    date = { year: Number(us[3]), month: Number(us[1]), day: Number(us[2]) };
  } else {
    const iso = ISO_DATE.exec(text);
    if (iso === null) return null;
    date = { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  }
  return isValidCalendarDate(date) ? date : null;
}

/** Returns -1, 0 or 1. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return Math.sign(a.year - b.year || a.month - b.month || a.day - b.day);
}

/**
 * Whole years from `dob` to `on`; a birthday counts from its first day (a patient is 50 on the
 * 50th birthday).
 *
 * Convention for 29 February births: in a non-leap year the birthday is reached on 1 March (as in
 * UK law, Family Law Reform Act 1969 s.9), so such a patient is still 49 on 28 February 2023 and
 * 50 on 1 March 2023.
 *
 * Negative when `on` is before `dob` (floor semantics); callers decide whether that is an error.
 */
export function ageInYears(dob: CalendarDate, on: CalendarDate): number {
  if (!isValidCalendarDate(dob) || !isValidCalendarDate(on)) {
    throw new RangeError('ageInYears: both arguments must be valid calendar dates');
  }
  const leapling = dob.month === 2 && dob.day === 29 && !isLeapYear(on.year);
  const birthdayMonth = leapling ? 3 : dob.month;
  const birthdayDay = leapling ? 1 : dob.day;
  const beforeBirthday =
    on.month < birthdayMonth || (on.month === birthdayMonth && on.day < birthdayDay);
  return on.year - dob.year - (beforeBirthday ? 1 : 0);
}
