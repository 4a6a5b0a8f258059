import { HttpException } from '@nestjs/common';
import type { AttestationError } from '@app/attestation';
import type { StorageError } from '@app/storage';
import { STATUS_CODES } from 'node:http';
import type { AuditOutcome } from '../../audit/audit-outcome';
import type { AuthError } from '../../auth/auth-errors';
import { type FieldError, ProblemException, ProblemType } from '../problem/problem';

/**
 * How the API answers an error, and how the audit records it: the one place that maps every
 * domain and infrastructure error to HTTP. The problem filter, the body parsers, the auth guard
 * and the audit all read it.
 */
export interface ErrorAnswer {
  status: number;
  type: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers: Readonly<Record<string, string>>;
  auditOutcome: AuditOutcome;
  /** Set when the error is ours, not the caller's: the filter logs it (never record content). */
  log?: { message: string; stack?: string };
}

/** Errors that carry a `code`, each mapped below. */
export type CataloguedError = StorageError | AuthError | AttestationError;
type ErrorCode = CataloguedError['code'];

/** Seconds a client should wait before retrying while storage is unavailable. */
const STORAGE_RETRY_AFTER_SECONDS = '2';
/** The identity provider may take longer to come back than our own storage. */
const TOKEN_KEYS_RETRY_AFTER_SECONDS = '5';
const REALM = 'patient-api';

/** Every code; `satisfies` makes a code missing here a compile error, like the switch below. */
const CODES: ReadonlySet<string> = new Set(
  Object.keys({
    patient_exists: true,
    patient_not_found: true,
    revision_mismatch: true,
    storage_unavailable: true,
    record_integrity: true,
    token_missing: true,
    token_invalid: true,
    scope_missing: true,
    tenant_missing: true,
    break_glass_reason_missing: true,
    token_keys_unavailable: true,
    attestation_failed: true,
  } satisfies Record<ErrorCode, true>),
);

/** The answer to any error: catalogued, a problem thrown on purpose, an HTTP error, or a bug. */
export function answerFor(error: unknown): ErrorAnswer {
  if (isCatalogued(error)) return answerForCode(error);
  if (error instanceof ProblemException) {
    const { status, type, title, detail, errors } = error.problem;
    return {
      status,
      type,
      title,
      ...(detail !== undefined ? { detail } : {}),
      ...(errors ? { errors } : {}),
      headers: error.headers,
      auditOutcome: outcomeForStatus(status),
    };
  }
  const parserAnswer = bodyParserAnswer(error);
  if (parserAnswer) return parserAnswer;
  if (error instanceof HttpException) return answerForHttp(error);
  const bug = error instanceof Error ? error : new Error(String(error));
  return {
    ...plain(500, ProblemType.internal, 'Internal error', 'the request could not be completed'),
    auditOutcome: 'error',
    log: { message: `unhandled ${bug.name}: ${bug.message}`, stack: bug.stack },
  };
}

function isCatalogued(error: unknown): error is CataloguedError {
  return error instanceof Error && CODES.has((error as { code?: unknown }).code as string);
}

function answerForCode(error: CataloguedError): ErrorAnswer {
  switch (error.code) {
    case 'patient_not_found':
      return {
        ...plain(404, ProblemType.notFound, 'Patient not found', 'no patient has this id'),
        auditOutcome: 'not_found',
      };
    case 'patient_exists':
      return {
        ...plain(
          409,
          ProblemType.conflict,
          'Patient already exists',
          'a patient with this id already exists; use PUT to replace it',
        ),
        auditOutcome: 'conflict',
      };
    case 'revision_mismatch':
      return {
        ...plain(
          412,
          ProblemType.preconditionFailed,
          'Precondition failed',
          'the patient was changed since you read it; read it again and retry with its new ETag',
        ),
        auditOutcome: 'precondition_failed',
      };
    case 'storage_unavailable':
      return {
        ...plain(503, ProblemType.storageUnavailable, 'Storage unavailable', 'try again shortly'),
        headers: { 'Retry-After': STORAGE_RETRY_AFTER_SECONDS },
        auditOutcome: 'unavailable',
      };
    case 'record_integrity':
      return {
        ...plain(
          500,
          ProblemType.integrity,
          'Record integrity check failed',
          'the stored record failed authentication and was not returned',
        ),
        auditOutcome: 'integrity_failure',
        log: { message: `record integrity check failed (${error.reason})` },
      };
    case 'token_missing':
      return {
        ...plain(401, ProblemType.unauthorized, 'Unauthorized', error.message),
        headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
        auditOutcome: 'unauthenticated',
      };
    case 'token_invalid':
      return {
        ...plain(401, ProblemType.unauthorized, 'Unauthorized', error.message),
        headers: { 'WWW-Authenticate': invalidTokenChallenge(error.description) },
        auditOutcome: 'unauthenticated',
      };
    case 'scope_missing':
      return {
        ...plain(403, ProblemType.forbidden, 'Forbidden', error.message),
        headers: {
          'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${error.required.join(' ')}"`,
        },
        auditOutcome: 'forbidden',
      };
    case 'tenant_missing':
    case 'break_glass_reason_missing':
      return {
        ...plain(403, ProblemType.forbidden, 'Forbidden', error.message),
        auditOutcome: 'forbidden',
      };
    case 'token_keys_unavailable':
      return {
        ...plain(
          503,
          ProblemType.http,
          'Service Unavailable',
          'the keys to verify tokens could not be fetched; try again shortly',
        ),
        headers: { 'Retry-After': TOKEN_KEYS_RETRY_AFTER_SECONDS },
        auditOutcome: 'unavailable',
      };
    case 'attestation_failed':
      return {
        ...plain(
          503,
          ProblemType.http,
          'Service Unavailable',
          'attestation evidence cannot be produced right now',
        ),
        auditOutcome: 'unavailable',
        log: { message: `attestation evidence failed: ${error.message}` },
      };
    default:
      return assertUnreachable(error);
  }
}

/** body-parser's error types (`err.type`), and the answer each gets. */
const PARSER_ANSWERS: Readonly<Record<string, Omit<ErrorAnswer, 'headers'>>> = {
  'entity.parse.failed': {
    status: 400,
    type: ProblemType.malformedBody,
    title: 'Malformed body',
    detail: 'the body is not valid JSON',
    auditOutcome: 'invalid',
  },
  'entity.too.large': {
    status: 413,
    type: ProblemType.payloadTooLarge,
    title: 'Payload too large',
    detail: 'the body is larger than this API accepts',
    auditOutcome: 'too_large',
  },
  'parameters.too.many': {
    status: 413,
    type: ProblemType.payloadTooLarge,
    title: 'Payload too large',
    detail: 'the form has too many fields',
    auditOutcome: 'too_large',
  },
  'charset.unsupported': {
    status: 415,
    type: ProblemType.unsupportedMediaType,
    title: 'Unsupported media type',
    detail: 'the body must be UTF-8',
    auditOutcome: 'unsupported_media_type',
  },
  'encoding.unsupported': {
    status: 415,
    type: ProblemType.unsupportedMediaType,
    title: 'Unsupported media type',
    detail: 'the body must not be compressed',
    auditOutcome: 'unsupported_media_type',
  },
};

/** An error from Express's body parsers (they mark theirs with a string `type`); else null. */
function bodyParserAnswer(error: unknown): ErrorAnswer | null {
  if (!(error instanceof Error) || !('expose' in error) || !('type' in error)) return null;
  const known = PARSER_ANSWERS[String(error.type)];
  if (known) return { ...known, headers: {} };
  return {
    ...plain(400, ProblemType.malformedBody, 'Malformed body', 'the body could not be read'),
    auditOutcome: 'invalid',
  };
}

/** A body of a media type the API does not read. */
export function unsupportedMediaTypeAnswer(accepted: readonly string[]): ErrorAnswer {
  return {
    ...plain(
      415,
      ProblemType.unsupportedMediaType,
      'Unsupported media type',
      `send ${accepted.join(' or ')}`,
    ),
    auditOutcome: 'unsupported_media_type',
  };
}

function answerForHttp(exception: HttpException): ErrorAnswer {
  const status = exception.getStatus();
  if (status === 429) {
    // The throttler has set Retry-After on the response already.
    return {
      ...plain(429, ProblemType.tooManyRequests, 'Too many requests', 'slow down and retry later'),
      auditOutcome: 'rate_limited',
    };
  }
  // Framework messages may quote the request (Nest's 404 names the URL with its query string):
  // never repeated back.
  const detail = status === 404 ? 'there is no such route' : undefined;
  return {
    ...plain(status, ProblemType.http, STATUS_CODES[status] ?? 'Error', detail),
    auditOutcome: outcomeForStatus(status),
  };
}

/** How the audit records an answer of this status that carries no more precise outcome. */
export function outcomeForStatus(status: number): AuditOutcome {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition_failed';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return 'error';
  }
}

function plain(
  status: number,
  type: string,
  title: string,
  detail?: string,
): Omit<ErrorAnswer, 'auditOutcome'> {
  return { status, type, title, ...(detail !== undefined ? { detail } : {}), headers: {} };
}

function invalidTokenChallenge(description: string): string {
  return `Bearer realm="${REALM}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
}

function assertUnreachable(value: never): never {
  throw new Error(`unmapped error code: ${String((value as { code?: unknown }).code)}`);
}
