import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { answerFor } from '../common/errors/error-catalogue';
import { AuditLog } from './audit-log';
import { AUDITED_ACTION, type AuditAction } from './audited.decorator';

/** Writes the audit line of every @Audited route once it has an outcome. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<AuditAction | undefined>(
      AUDITED_ACTION,
      context.getHandler(),
    );
    if (!action) return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      tap({
        next: (result: unknown) => {
          this.audit.record(req, action, 'success', listedIds(result));
          for (const id of withheldIds(result))
            this.audit.record(req, action, 'integrity_failure', [id]);
        },
        error: (error: unknown) => this.audit.record(req, action, answerFor(error).auditOutcome),
      }),
    );
  }
}

/** For listings: records withheld because they failed their integrity check. */
function withheldIds(result: unknown): string[] {
  const withheld = (result as { withheld?: unknown } | null)?.withheld;
  return Array.isArray(withheld) ? withheld.map(String) : [];
}

/** For listings: which patients were shown. */
function listedIds(result: unknown): string[] | undefined {
  const items = (result as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  return items.map((item) => String((item as { id?: unknown }).id));
}
