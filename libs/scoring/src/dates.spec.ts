import {
  type CalendarDate,
  ageInYears,
  compareDates,
  daysInMonth,
  isLeapYear,
  parseRecordDate,
} from './dates';

const d = (year: number, month: number, day: number): CalendarDate => ({ year, month, day });

describe('parseRecordDate', () => {
  it.each([
    ['01/05/2010', d(2010, 1, 5)],
    ['12/31/1999', d(1999, 12, 31)],
    ['02/29/2020', d(2020, 2, 29)],
    ['02/29/2000', d(2000, 2, 29)],
    ['04/30/2021', d(2021, 4, 30)],
    ['01/01/1000', d(1000, 1, 1)],
    ['12/31/9999', d(9999, 12, 31)],
    ['2010-01-05', d(2010, 1, 5)],
    ['2020-02-29', d(2020, 2, 29)],
    ['1999-12-31', d(1999, 12, 31)],
  ])('parses %s', (text, expected) => {
    expect(parseRecordDate(text)).toEqual(expected);
  });

  it('reads MM/DD/YYYY as month first', () => {
    expect(parseRecordDate('03/04/2020')).toEqual(d(2020, 3, 4));
    expect(parseRecordDate('13/04/2020')).toBeNull();
  });

  it.each([
    ['02/30/2020', 'no 30 February'],
    ['02/29/2019', 'not a leap year'],
    ['02/29/1900', 'centuries are not leap years'],
    ['2019-02-29', 'not a leap year (ISO)'],
    ['04/31/2021', 'April has 30 days'],
    ['2021-06-31', 'June has 30 days'],
    ['00/10/2020', 'month 0'],
    ['13/01/2020', 'month 13'],
    ['01/00/2020', 'day 0'],
    ['01/32/2020', 'day 32'],
    ['2020-00-10', 'ISO month 0'],
    ['2020-13-01', 'ISO month 13'],
    ['01/01/0999', 'year below 1000'],
    ['0999-01-01', 'ISO year below 1000'],
    ['1/5/2010', 'single-digit month and day'],
    ['01/05/10', 'two-digit year'],
    ['2010-1-5', 'ISO without zero padding'],
    [' 01/05/2010', 'leading space'],
    ['01/05/2010 ', 'trailing space'],
    ['01/05/2010\n', 'trailing newline'],
    ['2010-01-05T00:00:00Z', 'ISO date-time'],
    ['2010/01/05', 'slashes in ISO order'],
    ['01-05-2010', 'dashes in US order'],
    ['05.01.2010', 'dotted'],
    ['', 'empty'],
    ['garbage', 'garbage'],
    ['ab/cd/efgh', 'letters'],
    ['01/05/2010/01', 'extra component'],
    ['٠١/٠٥/٢٠١٠', 'non-ASCII digits'],
  ])('rejects %j (%s)', (text) => {
    expect(parseRecordDate(text)).toBeNull();
  });
});

describe('leap years and month lengths', () => {
  it.each([
    [2000, true],
    [2020, true],
    [2024, true],
    [1900, false],
    [2019, false],
    [2100, false],
  ])('isLeapYear(%i) is %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });

  it('knows month lengths', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2021, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2020, 2)).toBe(29);
  });
});

describe('compareDates', () => {
  it('orders by year, then month, then day', () => {
    expect(compareDates(d(2020, 1, 1), d(2020, 1, 1))).toBe(0);
    expect(compareDates(d(2019, 12, 31), d(2020, 1, 1))).toBe(-1);
    expect(compareDates(d(2020, 2, 1), d(2020, 1, 31))).toBe(1);
    expect(compareDates(d(2020, 1, 2), d(2020, 1, 1))).toBe(1);
    expect(compareDates(d(2020, 1, 1), d(2020, 1, 2))).toBe(-1);
  });
});

describe('ageInYears', () => {
  it('counts a birthday from its first day', () => {
    expect(ageInYears(d(1970, 3, 15), d(2020, 3, 14))).toBe(49);
    expect(ageInYears(d(1970, 3, 15), d(2020, 3, 15))).toBe(50);
    expect(ageInYears(d(1970, 3, 15), d(2020, 3, 16))).toBe(50);
  });

  it('handles year ends and month boundaries', () => {
    expect(ageInYears(d(1940, 12, 31), d(2020, 12, 30))).toBe(79);
    expect(ageInYears(d(1940, 12, 31), d(2020, 12, 31))).toBe(80);
    expect(ageInYears(d(1960, 1, 1), d(2019, 12, 31))).toBe(59);
    expect(ageInYears(d(1960, 1, 1), d(2020, 1, 1))).toBe(60);
  });

  it('is 0 on the day of birth and before the first birthday', () => {
    expect(ageInYears(d(2010, 1, 1), d(2010, 1, 1))).toBe(0);
    expect(ageInYears(d(2010, 1, 1), d(2010, 12, 31))).toBe(0);
    expect(ageInYears(d(2010, 1, 1), d(2011, 1, 1))).toBe(1);
  });

  // Convention: a 29 February birthday is reached on 1 March in non-leap years.
  it('reaches a 29 February birthday on 1 March in non-leap years', () => {
    expect(ageInYears(d(1972, 2, 29), d(2022, 2, 28))).toBe(49);
    expect(ageInYears(d(1972, 2, 29), d(2022, 3, 1))).toBe(50);
    expect(ageInYears(d(2000, 2, 29), d(2001, 2, 28))).toBe(0);
    expect(ageInYears(d(2000, 2, 29), d(2001, 3, 1))).toBe(1);
  });

  it('reaches a 29 February birthday on 29 February in leap years', () => {
    expect(ageInYears(d(1972, 2, 29), d(2024, 2, 28))).toBe(51);
    expect(ageInYears(d(1972, 2, 29), d(2024, 2, 29))).toBe(52);
    // 2100 is not a leap year: 1 March again.
    expect(ageInYears(d(2020, 2, 29), d(2100, 2, 28))).toBe(79);
    expect(ageInYears(d(2020, 2, 29), d(2100, 3, 1))).toBe(80);
  });

  it('treats 28 February and 1 March births normally', () => {
    expect(ageInYears(d(1971, 2, 28), d(2021, 2, 28))).toBe(50);
    expect(ageInYears(d(1971, 3, 1), d(2021, 2, 28))).toBe(49);
    expect(ageInYears(d(1971, 3, 1), d(2021, 3, 1))).toBe(50);
  });

  it('is negative when the date precedes the birth', () => {
    expect(ageInYears(d(2010, 1, 2), d(2010, 1, 1))).toBe(-1);
  });

  it('rejects dates that are not on the calendar', () => {
    expect(() => ageInYears(d(2019, 2, 29), d(2020, 1, 1))).toThrow(RangeError);
    expect(() => ageInYears(d(2019, 1, 1), d(2020, 1, 1.5))).toThrow(RangeError);
  });
});
