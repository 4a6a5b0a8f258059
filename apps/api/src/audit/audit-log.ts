import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { StoredAuditEvent } from '@app/storage';
import { levelOfStatus, RequestLog, severest } from '../logging/request-log';
import type { AuditEvent } from './audit-event';

/**
 * The audit event as a log line, for log shipping (never the record's content): the request's
 * one line, so it also says what a request line says (id, method, path, status, duration).
 */
@Injectable()
export class AuditLog {
  constructor(private readonly requests: RequestLog) {}

  /** With the stored event's place in its chain, when it was stored. */
  write(req: Request, res: Response, event: AuditEvent, stored?: StoredAuditEvent): void {
    const { req: request, res: response, responseTime } = this.requests.summaryOf(req, res);
    const line: Record<string, unknown> = {
      req: request,
      res: response,
      responseTime,
      audit: true,
    };
    if (stored) {
      line.seq = stored.seq;
      line.chain = stored.chain;
      line.eventId = stored.id;
    } else line.stored = false;
    Object.assign(line, event);
    // One patient named by the route: also as `patientId`, for a log search by patient.
    if (event.patientIds.length === 1 && event.action !== 'patient.list')
      line.patientId = event.patientIds[0];
    line.context = 'Audit';
    const failed = event.outcome === 'integrity_failure' || (event.withheld?.length ?? 0) > 0;
    const level = severest(levelOfStatus(res.statusCode), failed ? 'error' : 'info');
    this.requests.logger[level](line, 'audit');
  }
}
