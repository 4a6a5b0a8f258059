import type { Request } from 'express';
import type { AuditRecordInput, StoredAuditEvent } from '@app/storage';
import type { AuditOutcome } from './audit-outcome';
import type { AuditAction } from './audited.decorator';

/** What the audit knows of a request while it is being handled. */
export interface AuditContext {
  action: AuditAction;
  time: Date;
  patientIds: string[];
  breakGlassReason?: string;
  /** The event is written (or being written): nothing more is recorded for this request. */
  recorded: boolean;
  /**
   * Records the request's one event with this outcome (later calls do nothing); resolves once
   * it is stored, rejects when it could not be (then a record must not be disclosed).
   */
  record(outcome: AuditOutcome, details?: AuditDetails): Promise<void>;
  /** The success event of a write, to be stored by the repository with the change itself. */
  writeEvent(): AuditRecordInput;
  /** The repository stored the write and its event: the request's event is recorded. */
  written(stored: StoredAuditEvent | undefined): void;
}

export interface AuditDetails {
  /** The patients a listing showed (instead of the one the route names). */
  shown?: string[];
  /** Listed records withheld because they failed their integrity check. */
  withheld?: string[];
}

const AUDIT = Symbol('audit');

export function setAuditContext(req: Request, context: AuditContext): void {
  (req as unknown as Record<symbol, AuditContext>)[AUDIT] = context;
}

/** The audit context of an audited request; undefined for any other. */
export function auditContextOf(req: Request): AuditContext | undefined {
  return (req as unknown as Record<symbol, AuditContext | undefined>)[AUDIT];
}

/**
 * Records how an audited request ended, without waiting for the store: for refusals, which
 * disclose nothing (a store that fails is logged by the trail).
 */
export function recordAuditOutcome(req: Request, outcome: AuditOutcome, details?: AuditDetails) {
  // A failure to store is logged by the trail; nobody waits for this one.
  auditContextOf(req)
    ?.record(outcome, details)
    .catch(() => undefined);
}

/** Marks an audited request as emergency access, with the reason the caller gave. */
export function noteBreakGlass(req: Request, reason: string): void {
  const context = auditContextOf(req);
  if (context) context.breakGlassReason = reason;
}
