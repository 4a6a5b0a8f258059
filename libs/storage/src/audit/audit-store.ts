/**
 * An audit event as the caller hands it in: JSON (stored as canonical JSON, opaque to storage)
 * except for two fields storage reads. `patientIds` files the event under each patient (for the
 * accounting of disclosures); ids that could not be a record id (a malformed route parameter) are
 * kept in the event but not filed. `recordDigest` marks a write event: the repository sets it on
 * the event of each change it stores (SHA-256, hex, of the stored envelope; null for an erasure),
 * and `append` refuses events that carry one.
 */
export interface AuditRecordInput {
  readonly patientIds: readonly string[];
  readonly recordDigest?: string | null;
}

/** A stored audit event with its place in the tenant's trail and in its hash chain. */
export interface StoredAuditEvent {
  /** Position in the tenant's trail (a Redis stream entry id, `<ms>-<n>`): its order and cursor. */
  id: string;
  tenant: string;
  /** The writer's chain (one per process and tenant). */
  chain: string;
  /** 1, 2, … within the chain, without gaps. */
  seq: number;
  /** `hash` of the chain's previous event; 64 zeros for the first. */
  prev: string;
  /** SHA-256 (hex) of prev's 32 bytes followed by canonicalJson({ chain, event, seq, tenant }). */
  hash: string;
  /** HMAC-SHA256 (hex) of the hash's 32 bytes, with the audit key. */
  mac: string;
  /** The event as appended (with `recordDigest` for writes). */
  event: AuditRecordContent;
}

/** What an event holds, as read back. */
export type AuditRecordContent = Readonly<Record<string, unknown>> & {
  readonly patientIds: readonly string[];
  readonly recordDigest?: string | null;
};

export interface AuditPage {
  /** Oldest first. */
  events: StoredAuditEvent[];
  /** The last event's id, to pass as `after` for the next page; null when nothing more is stored now. */
  next: string | null;
}

/** The newest stored event of one chain: what a checkpoint line records. */
export interface AuditChainHead {
  tenant: string;
  chain: string;
  seq: number;
  hash: string;
}

export interface AuditTrimResult {
  /** Events removed, in all tenants. */
  trimmed: number;
  /**
   * `record.retain` events appended so that a live record whose last write event was trimmed is
   * still named by a write event in the trail (the verifier checks every record against one).
   */
  retained: number;
  /**
   * Trimmed events that did not verify (MAC, or not an event at all): evidence of tampering that
   * retention has now removed; run `audit:verify` and keep what the archive holds. 0 normally.
   */
  altered: number;
}

/**
 * The audit-trail port: every tenant's trail of events, each event in a hash chain of its writer
 * (per tenant and process) and MACed with the audit key. Drivers: Redis (a stream per tenant) and
 * memory (development only: the trail dies with the process).
 *
 * Tenants follow TENANT_PATTERN, or are `*`: the trail of requests that named no tenant (no
 * valid token).
 */
export abstract class AuditStore {
  /**
   * Stores events, in order, in the tenant's trail. Concurrent calls are grouped into one round
   * trip per chain (group commit). Resolves once stored, with the stored events in the order
   * given; rejects with StorageUnavailableError when they could not be stored (then none is).
   */
  abstract append(tenant: string, events: readonly AuditRecordInput[]): Promise<StoredAuditEvent[]>;
  /** The events filed under one patient (an accounting of disclosures), oldest first. */
  abstract readPatient(
    tenant: string,
    patientId: string,
    limit: number,
    after?: string,
  ): Promise<AuditPage>;
  /**
   * The tenant's whole trail in order, strictly after the event `after`: a cursor resumes exactly
   * where the last page ended, nothing repeated or skipped while events are appended.
   */
  abstract readAll(tenant: string, limit: number, after?: string): Promise<AuditPage>;
  /** The head of every chain this store writes (of one tenant, or all), as stored. */
  abstract heads(tenant?: string): Promise<AuditChainHead[]>;
  /** Removes events stored before `olderThan`, in every tenant (retention). */
  abstract trim(olderThan: Date): Promise<AuditTrimResult>;
}

/** A tenant whose trail can be kept: a clinic's name, or `*` for requests that named none. */
export const AUDIT_TENANT_PATTERN = /^(\*|[A-Za-z0-9_.-]{1,64})$/;

/** What an event id, and so a cursor, looks like. */
export const AUDIT_CURSOR_PATTERN = /^\d{1,20}-\d{1,20}$/;

/** The tenant of requests that named none. */
export const NO_TENANT_TRAIL = '*';
