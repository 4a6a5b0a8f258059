import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { mergeMap, Observable } from 'rxjs';
import { auditContextOf } from './audit-context';

/**
 * Records the success of an audited route, and sends the answer only once that is stored (an
 * error is recorded where its answer is sent).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        // Stored before the answer is sent (a write's event was stored with the write itself).
        await auditContextOf(req)?.record('success', {
          shown: listedIds(result),
          withheld: withheldIds(result),
        });
        return result;
      }),
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
