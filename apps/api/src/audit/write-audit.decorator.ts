import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuditRecordInput, StoredAuditEvent } from '@app/storage';
import { auditContextOf } from './audit-context';

/** The audit event of a write, which storage keeps with the change itself, atomically. */
export interface WriteAudit {
  event: AuditRecordInput;
  /** Storage kept the change and its event (a refused change keeps neither: see the filter). */
  written(stored: StoredAuditEvent | undefined): void;
}

/** The success event of this audited write, for the repository to store with it. */
export const AuditedWrite = createParamDecorator(
  (_data: unknown, context: ExecutionContext): WriteAudit => {
    const audit = auditContextOf(context.switchToHttp().getRequest<Request>());
    // Unreachable on an @Audited route; a route without it is a programming error.
    if (!audit) throw new Error('no audit context: the route is not audited');
    return { event: audit.writeEvent(), written: (stored) => audit.written(stored) };
  },
);
