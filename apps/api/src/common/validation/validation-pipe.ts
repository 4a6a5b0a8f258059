import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, validationProblem } from '../problem/problem';

/** Deeper bodies are refused before validation (class-validator recurses; a deep one overflows). */
export const MAX_BODY_DEPTH = 8;
/** More members than any DTO has, by far; a body with more is refused before validation. */
export const MAX_BODY_MEMBERS = 100;
/** A problem lists at most this many invalid fields, and says how many there were. */
export const MAX_FIELD_ERRORS = 20;

/** What a field of ours looks like; any other name is not repeated back (it may be data). */
const FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * The global pipe: DTOs validated, unknown fields refused, errors as field-level problems. Bodies
 * too deep or too wide are refused before class-validator walks them.
 */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') checkShape(value);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    // Values stay inside the pipe (to tell "missing" from "wrong"); they are never answered.
    validationError: { target: false, value: true },
    exceptionFactory: (errors: ValidationError[]) => {
      const all = toFieldErrors(errors);
      if (all.length <= MAX_FIELD_ERRORS) return validationProblem(all);
      const shown = all.slice(0, MAX_FIELD_ERRORS);
      const listed = shown.map((e) => `${e.field}: ${e.message}`).join('; ');
      return validationProblem(
        shown,
        `${all.length} invalid fields; the first ${MAX_FIELD_ERRORS}: ${listed}`,
      );
    },
  });
}

/** Walks the body without recursion; refuses it at the first member too deep or too many. */
function checkShape(body: unknown): void {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  let members = 0;
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw validationProblem(
        [{ field: 'body', message: `must not nest deeper than ${MAX_BODY_DEPTH} levels` }],
        `the body nests deeper than ${MAX_BODY_DEPTH} levels`,
      );
    }
    for (const child of Object.values(value)) {
      if (++members > MAX_BODY_MEMBERS) {
        throw validationProblem(
          [{ field: 'body', message: `must not have more than ${MAX_BODY_MEMBERS} members` }],
          `the body has more than ${MAX_BODY_MEMBERS} members`,
        );
      }
      pending.push({ value: child, depth: depth + 1 });
    }
  }
}

/** One entry per invalid field, in the order fields were declared; nested paths dotted. */
function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const named = error.property ? `${prefix}${error.property}` : prefix.replace(/\.$/, '');
    const message = messageFor(error);
    const unknownField = 'whitelistValidation' in (error.constraints ?? {});
    if (unknownField && !FIELD_NAME.test(error.property)) {
      // An unknown "field" whose name is not a name (a JSON body sent as a form, the rest of a
      // value after a stray &): it is the client's data, so it is never repeated back.
      out.push({ field: prefix.replace(/\.$/, '') || 'body', message: 'has an unknown field' });
      continue;
    }
    if (message) out.push({ field: named || 'body', message });
    if (error.children?.length) out.push(...toFieldErrors(error.children, `${named}.`));
  }
  return out;
}

/** The most useful message for a field: missing, then wrong type, then every other rule broken. */
function messageFor(error: ValidationError): string | null {
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) return 'is not a known field';
  if ('unknownValue' in constraints) return 'must be an object of fields';
  if (Object.keys(constraints).length === 0) return null;
  if (error.value === undefined) return 'is required';
  if ('isString' in constraints) return 'must be a string';
  // class-validator starts its messages with the property name; the field is named separately.
  const strip = (text: string) =>
    text.startsWith(`${error.property} `) ? text.slice(error.property.length + 1) : text;
  return Object.values(constraints).map(strip).join('; ');
}
