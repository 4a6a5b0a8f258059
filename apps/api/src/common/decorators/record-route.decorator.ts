import { applyDecorators, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Audited, type AuditAction } from '../../audit/audited.decorator';
import { RequireScopes, type ScopeName } from '../../auth/scopes';
import {
  ApiProblems,
  AUTHENTICATED_PROBLEMS,
  type ProblemStatus,
} from '../../openapi/api-responses.decorator';

/** A controller of record routes: bearer auth, and the problems every authenticated call has. */
export function RecordApi(tag: string): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth('bearer'),
    ApiProblems(...AUTHENTICATED_PROBLEMS),
  );
}

/**
 * A route that touches patient records: the scope it needs, the audit action every call of it
 * is recorded as, and the problems it may answer beyond those of every authenticated call. Its
 * answers carry patient data, so no cache (a browser's, a proxy's) may keep them.
 */
export function RecordRoute(
  scope: ScopeName,
  action: AuditAction,
  ...problems: ProblemStatus[]
): MethodDecorator {
  return applyDecorators(
    RequireScopes(scope),
    Audited(action),
    Header('Cache-Control', 'no-store'),
    Header('Pragma', 'no-cache'),
    ApiProblems(...problems),
  );
}
