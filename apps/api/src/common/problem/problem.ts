import { HttpException } from '@nestjs/common';

/** One invalid field of a request. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem document, as every error of this API is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types; stable identifiers clients may switch on. */
export const ProblemType = {
  validation: 'urn:patient-api:problem:validation',
  malformedBody: 'urn:patient-api:problem:malformed-body',
  unsupportedMediaType: 'urn:patient-api:problem:unsupported-media-type',
  payloadTooLarge: 'urn:patient-api:problem:payload-too-large',
  notFound: 'urn:patient-api:problem:not-found',
  conflict: 'urn:patient-api:problem:already-exists',
  preconditionFailed: 'urn:patient-api:problem:precondition-failed',
  unauthorized: 'urn:patient-api:problem:unauthorized',
  forbidden: 'urn:patient-api:problem:forbidden',
  tooManyRequests: 'urn:patient-api:problem:too-many-requests',
  storageUnavailable: 'urn:patient-api:problem:storage-unavailable',
  integrity: 'urn:patient-api:problem:record-integrity',
  internal: 'urn:patient-api:problem:internal',
  http: 'about:blank',
} as const;

/** Thrown anywhere to answer with a problem document (and optional headers). */
export class ProblemException extends HttpException {
  constructor(
    readonly problem: Problem,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem, problem.status);
  }
}

export function validationProblem(errors: FieldError[], detail?: string): ProblemException {
  return new ProblemException({
    type: ProblemType.validation,
    title: 'Invalid request',
    status: 400,
    detail: detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}
