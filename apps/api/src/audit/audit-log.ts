import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { principalOf } from '../auth/principal';
import type { AuditOutcome } from './audit-outcome';
import type { AuditAction } from './audited.decorator';

/**
 * One structured line per access to a record: who, what, which patient, how it ended, and the
 * request id. Never the record's content.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('Audit');
  }

  record(req: Request, action: AuditAction, outcome: AuditOutcome, patientIds?: string[]): void {
    const params = req.params as Record<string, string | undefined> | undefined;
    const entry = {
      audit: true,
      actor: principalOf(req)?.subject ?? 'unauthenticated',
      action,
      outcome,
      ...(params?.id !== undefined ? { patientId: params.id } : {}),
      ...(patientIds ? { patientIds } : {}),
      requestId: typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '',
    };
    if (outcome === 'integrity_failure') this.logger.error(entry, 'audit');
    else this.logger.info(entry, 'audit');
  }
}
