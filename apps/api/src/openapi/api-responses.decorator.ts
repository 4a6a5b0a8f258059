import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../common/problem/problem';
import { ProblemDto } from './problem.dto';

/** What each error status means, as documented on every operation that can answer it. */
const PROBLEMS = {
  400: 'Invalid request: the `errors` list names each invalid field, parameter or header.',
  401: 'No bearer token, or one that is invalid or expired (see `WWW-Authenticate`).',
  403: 'The token lacks the scope this call needs.',
  404: 'No patient has this id.',
  409: 'A patient with this id already exists (the original answered 403).',
  412: 'The record changed since the ETag given in `If-Match` was read.',
  413: 'The body is larger than the API accepts.',
  415: 'The body is neither `application/x-www-form-urlencoded` nor `application/json`.',
  429: 'Too many requests from this client; retry after `Retry-After` seconds.',
  500: 'The stored record failed its integrity check and was not returned, or an internal error.',
  503: 'A dependency (storage, the token keys, the attestation device) is unavailable; retry after `Retry-After` seconds.',
} as const;

export type ProblemStatus = keyof typeof PROBLEMS;

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

/** Documents problem+json answers for the given statuses. */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEMS[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
        headers: status === 429 || status === 503 ? RETRY_AFTER : undefined,
      }),
    ),
  );
}

/** The errors every authenticated call can answer. */
export const AUTHENTICATED_PROBLEMS: ProblemStatus[] = [401, 403, 429, 500, 503];
