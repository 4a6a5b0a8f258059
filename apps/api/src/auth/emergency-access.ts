import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { noteBreakGlass } from '../audit/audit-context';
import { validationProblem } from '../common/problem/problem';
import { AppMetrics } from '../metrics/app-metrics';
import { BreakGlassReasonMissingError } from './auth-errors';
import type { Principal } from './principal';

export const BREAK_GLASS_HEADER = 'x-break-glass-reason';
const MAX_REASON_LENGTH = 500;
/** Printable: no control characters. */
const PRINTABLE = /^\P{Cc}+$/u;

/**
 * Emergency access ("break the glass"): a recorded procedure, not a back door. The reason goes
 * into the audit event, the access is counted and logged at warn, for review after the fact.
 */
@Injectable()
export class EmergencyAccess {
  private readonly logger = new Logger('EmergencyAccess');

  constructor(private readonly metrics: AppMetrics) {}

  grant(req: Request, principal: Principal): void {
    const reason = reasonOf(req.headers[BREAK_GLASS_HEADER]);
    noteBreakGlass(req, reason);
    this.metrics.breakGlassAccess.inc();
    // Who and which clinic; the reason and the patient are in the audit trail, not the log.
    this.logger.warn(
      { reqId: req.id },
      `emergency access by ${principal.subject} of clinic ${principal.tenant ?? '?'}: see the audit trail`,
    );
  }
}

function reasonOf(header: string | string[] | undefined): string {
  if (header === undefined) throw new BreakGlassReasonMissingError();
  const reason = Array.isArray(header) ? header.join(', ') : header.trim();
  if (reason.length === 0 || reason.length > MAX_REASON_LENGTH || !PRINTABLE.test(reason)) {
    throw validationProblem([
      {
        field: 'X-Break-Glass-Reason',
        message: `must be 1 to ${MAX_REASON_LENGTH} printable characters`,
      },
    ]);
  }
  return reason;
}
