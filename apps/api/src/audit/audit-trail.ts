import { Injectable, Logger } from '@nestjs/common';
import { AuditStore, NO_TENANT_TRAIL, type StoredAuditEvent } from '@app/storage';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { principalOf } from '../auth/principal';
import { outcomeForStatus } from '../common/errors/error-catalogue';
import { AppConfig } from '../config/app-config';
import { REQUEST_ID_HEADER } from '../common/http/request-id';
import { setAuditContext, type AuditContext, type AuditDetails } from './audit-context';
import type { AuditEvent } from './audit-event';
import { AuditLog } from './audit-log';
import type { AuditOutcome } from './audit-outcome';
import { AuditRoutes } from './audit-routes';

/** A client's own request id is kept only when it is a plain token (it goes into logs). */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Exactly one audit event per request to an audited route, whatever happens to it: a request is
 * recognised as it arrives (before body parsing, rate limiting and auth), and its event is
 * recorded before the answer is sent: a success as the answer is sent (AuditingExpressAdapter),
 * an error where the error catalogue's answer is sent.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly routes: AuditRoutes,
    private readonly log: AuditLog,
    private readonly events: AuditStore,
    private readonly config: AppConfig,
  ) {}

  /** Express middleware: opens the audit context of every audited request. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const route = this.routes.find(req.method, req.path);
      if (!route) return next();
      let write: AuditEvent | undefined;
      /** The request's event and, once settled, where it was stored (undefined: it was not). */
      let recorded:
        { event: AuditEvent; stored: Promise<StoredAuditEvent | undefined> } | undefined;
      const context: AuditContext = {
        action: route.action,
        time: new Date(),
        patientIds: route.patientId === undefined ? [] : [route.patientId],
        recorded: false,
        record: (outcome, details = {}) => {
          if (context.recorded) return Promise.resolve();
          context.recorded = true;
          const event = this.eventOf(req, context, outcome, details);
          const stored = this.store(event);
          recorded = { event, stored: stored.catch(() => undefined) };
          if (this.config.audit.durability === 'sync') return stored.then(() => undefined);
          return Promise.resolve();
        },
        writeEvent: () => (write = this.eventOf(req, context, 'success', {})),
        written: (stored) => {
          context.recorded = true;
          if (write) recorded = { event: write, stored: Promise.resolve(stored) };
        },
      };
      setAuditContext(req, context);
      // The request's line, once its answer ended (or its client left: then it is an error if
      // nothing was recorded yet).
      res.once('close', () => {
        const outcome = res.writableFinished ? outcomeForStatus(res.statusCode) : 'error';
        context.record(outcome).catch(() => undefined);
        if (!recorded) return;
        const { event } = recorded;
        void recorded.stored.then((stored) => this.log.write(req, res, event, stored));
      });
      next();
    };
  }

  /**
   * Stores an event (batched with those of concurrent requests: one round trip). With
   * AUDIT_DURABILITY=sync the caller waits for it, so a record is disclosed only once its event
   * is stored; with async it does not.
   */
  private store(event: AuditEvent): Promise<StoredAuditEvent> {
    return this.events.append(event.tenant, [event]).then(
      ([saved]) => saved,
      (error: unknown) => {
        this.logger.error(
          { reqId: event.requestId },
          `an audit event could not be stored: ${(error as Error).message}`,
        );
        throw error;
      },
    );
  }

  private eventOf(
    req: Request,
    context: AuditContext,
    outcome: AuditOutcome,
    details: AuditDetails,
  ): AuditEvent {
    const principal = principalOf(req);
    const clientRequestId = req.headers[REQUEST_ID_HEADER];
    const userAgent = req.headers['user-agent'];
    // Built field by field (no spreads): one of these per audited request.
    const event: AuditEvent = {
      time: context.time.toISOString(),
      tenant: principal?.tenant ?? NO_TENANT_TRAIL,
      actor: principal?.subject ?? 'unauthenticated',
      action: context.action,
      patientIds: details.shown ?? context.patientIds,
      outcome,
      requestId: req.id ?? 'none',
      clientAddress: req.socket.remoteAddress ?? 'unknown',
    };
    if (principal?.clientId !== undefined) event.clientId = principal.clientId;
    if (principal?.tokenId !== undefined) event.tokenId = principal.tokenId;
    if (details.withheld && details.withheld.length > 0) event.withheld = details.withheld;
    if (typeof clientRequestId === 'string' && CLIENT_REQUEST_ID.test(clientRequestId))
      event.clientRequestId = clientRequestId;
    if (typeof userAgent === 'string') event.userAgent = userAgent.slice(0, 256);
    if (context.breakGlassReason !== undefined) event.breakGlassReason = context.breakGlassReason;
    return event;
  }
}
