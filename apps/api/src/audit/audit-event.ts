import type { AuditOutcome } from './audit-outcome';
import type { AuditAction } from './audited.decorator';

/**
 * One access to patient records: who, from where, what, which patients, how it ended. Never the
 * record's content.
 */
export interface AuditEvent {
  /** ISO 8601, when the request arrived. */
  time: string;
  tenant: string;
  /** The token's `sub`; `unauthenticated` when there was no valid token. */
  actor: string;
  clientId?: string;
  tokenId?: string;
  action: AuditAction;
  /** The patient the route names, or the patients a listing showed. */
  patientIds: string[];
  outcome: AuditOutcome;
  /** Listed records withheld because they failed their integrity check. */
  withheld?: string[];
  /** The service's own id for the request. */
  requestId: string;
  /** The `X-Request-Id` the client sent, kept beside ours. */
  clientRequestId?: string;
  clientAddress: string;
  userAgent?: string;
  /** Emergency access ("break the glass"): the reason the caller gave. */
  breakGlassReason?: string;
}
