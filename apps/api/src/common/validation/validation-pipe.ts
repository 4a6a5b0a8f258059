import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, validationProblem } from '../problem/problem';

/** The global pipe: DTOs validated, unknown fields refused, errors as field-level problems. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    // Values stay inside the pipe (to tell "missing" from "wrong"); they are never answered.
    validationError: { target: false, value: true },
    exceptionFactory: (errors: ValidationError[]) => validationProblem(toFieldErrors(errors)),
  });
}

/** One entry per invalid field, in the order fields were declared; nested paths dotted. */
export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = error.property
      ? `${prefix}${error.property}`
      : prefix.replace(/\.$/, '') || 'body';
    const message = messageFor(error);
    if (message) out.push({ field, message });
    if (error.children?.length) out.push(...toFieldErrors(error.children, `${field}.`));
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
