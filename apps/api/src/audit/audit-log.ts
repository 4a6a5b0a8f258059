import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { StoredAuditEvent } from '@app/storage';
import type { AuditEvent } from './audit-event';

/** The audit event as a log line, for log shipping (never the record's content). */
@Injectable()
export class AuditLog {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('Audit');
  }

  /** With the stored event's place in its chain, when it was stored. */
  write(event: AuditEvent, stored?: StoredAuditEvent): void {
    const { patientIds, ...rest } = event;
    const line = {
      audit: true,
      ...(stored
        ? { seq: stored.seq, chain: stored.chain, eventId: stored.id }
        : { stored: false }),
      ...rest,
      // One patient named by the route: also as `patientId`, for a log search by patient.
      ...(patientIds.length === 1 && event.action !== 'patient.list'
        ? { patientId: patientIds[0] }
        : {}),
      patientIds,
    };
    if (event.outcome === 'integrity_failure' || (event.withheld?.length ?? 0) > 0) {
      this.logger.error(line, 'audit');
    } else this.logger.info(line, 'audit');
  }
}
