import { Transform } from 'class-transformer';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { MAX_ICD10_CODES, validateIcd10Codes } from '@app/scoring';

/** Form bodies carry the list as one comma-separated value (`icd10=E11.9,I21.0`). */
export function Icd10ListFromForm(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',')) : value,
  );
}

/** A list of at most MAX_ICD10_CODES ICD-10 codes; the message names the first bad position. */
export function IsIcd10List(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIcd10List',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        // Positions count from 1; the code itself is never repeated back.
        message: ({ value }) => {
          if (!Array.isArray(value)) return 'must be a list of ICD-10 codes';
          const check = validateIcd10Codes(value);
          if (check.ok) return 'must be a list of ICD-10 codes';
          if (check.reason === 'too_many') return `must hold at most ${MAX_ICD10_CODES} codes`;
          return (
            `position ${check.index + 1} is not an ICD-10 code ` +
            '(a letter, a digit, a letter or digit, then optionally a dot and up to 4 more)'
          );
        },
        ...options,
      },
      validator: {
        validate: (value: unknown) => Array.isArray(value) && validateIcd10Codes(value).ok,
      },
    });
}
