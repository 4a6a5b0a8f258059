import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { recordAuditOutcome } from './audit-context';

/**
 * Records the success of an audited route before its answer is sent (an error is recorded where
 * its answer is sent).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      tap((result: unknown) =>
        recordAuditOutcome(req, 'success', {
          shown: listedIds(result),
          withheld: withheldIds(result),
        }),
      ),
    );
  }
}

/** For listings: records withheld because they failed their integrity check. */
function withheldIds(result: unknown): string[] | undefined {
  const withheld = (result as { withheld?: unknown } | null)?.withheld;
  return Array.isArray(withheld) ? withheld.map(String) : undefined;
}

/** For listings: which patients were shown. */
function listedIds(result: unknown): string[] | undefined {
  const items = (result as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  return items.map((item) => String((item as { id?: unknown }).id));
}
