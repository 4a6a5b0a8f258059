import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { compareDates, parseRecordDate, type CalendarDate } from '@app/scoring';

/** Dates as the original sends them (MM/DD/YYYY) or ISO 8601 (YYYY-MM-DD). */
export const RECORD_DATE_PATTERN = /^(\d{2}\/\d{2}\/\d{4}|\d{4}-\d{2}-\d{2})$/;

/**
 * Today's date where it is latest on Earth (UTC+14): a date is only "in the future" once it is
 * in the future everywhere, so a clinic in any time zone can record a birth from today.
 */
function latestToday(): CalendarDate {
  const now = new Date(Date.now() + 14 * 60 * 60 * 1000);
  return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
}

/** A real calendar date (no 02/30, no 02/29 outside leap years). */
export function IsRecordDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isRecordDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'must be a real date, MM/DD/YYYY or YYYY-MM-DD', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseRecordDate(value) !== null,
      },
    });
}

export function IsNotInFuture(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotInFuture',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'must not be in the future', ...options },
      validator: {
        validate: (value: unknown) => {
          const date = typeof value === 'string' ? parseRecordDate(value) : null;
          return date === null || compareDates(date, latestToday()) <= 0;
        },
      },
    });
}

/** No one alive was born before this year; an earlier birth date is a typing error. */
export const EARLIEST_BIRTH_YEAR = 1900;

/** Not before 1 January of `year`. */
export function IsNotBeforeYear(year: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotBeforeYear',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [year],
      options: { message: `must not be before ${year}`, ...options },
      validator: {
        validate: (value: unknown) => {
          const date = typeof value === 'string' ? parseRecordDate(value) : null;
          return date === null || date.year >= year;
        },
      },
    });
}

/** Not before the date in another property (when both parse; their own checks report otherwise). */
export function IsNotBefore(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotBefore',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [property],
      options: { message: `must not be before ${property}`, ...options },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const other = (args.object as Record<string, unknown>)[property];
          const date = typeof value === 'string' ? parseRecordDate(value) : null;
          const start = typeof other === 'string' ? parseRecordDate(other) : null;
          return date === null || start === null || compareDates(date, start) >= 0;
        },
      },
    });
}
