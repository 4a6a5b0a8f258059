import type { AuditRecordInput, StoredAuditEvent } from './audit/audit-store';

/**
 * What is kept for one patient. Storage does not interpret it: it is sealed (encrypted and
 * authenticated) as a whole before it leaves the process.
 */
export interface PatientDocument {
  fields: Readonly<Record<string, string>>;
  score: number;
  scoreModel: string;
}

/**
 * A stored patient: its tenant, its id (unique within the tenant), its revision (1 on create, +1
 * on every replace) and its document.
 */
export interface StoredPatient {
  tenant: string;
  id: string;
  rev: number;
  doc: PatientDocument;
}

/** A stored change, with the audit event stored with it (when one was given). */
export interface WrittenPatient extends StoredPatient {
  audit?: StoredAuditEvent;
}

/** An erased patient, with the audit event stored with the erasure (when one was given). */
export interface ErasedPatient {
  tenant: string;
  id: string;
  audit?: StoredAuditEvent;
}

export interface PatientPage {
  items: StoredPatient[];
  /** Id of the last item, to continue after; null when there is nothing more. */
  nextAfter: string | null;
  /** Ids in this page whose record failed its integrity check: withheld, never returned. */
  withheld: string[];
}

/**
 * The storage port. Adapters: Redis (production) and memory (exploring). Every operation names
 * its tenant (see TENANT_PATTERN) and reaches that tenant's records only: the same id in two
 * tenants is two records. Errors are the ones in storage-errors.ts; anything else from a driver
 * is a bug in the adapter.
 *
 * Writes take the audit event of their success (`audit`): it is stored in the same step as the
 * change, with `recordDigest` set to the digest of what was stored, and only when the change is
 * applied. A refused change (exists, not found, revision mismatch) stores no event: the caller
 * records its failure event through AuditStore.append, which takes the next number of the chain,
 * so the chain stays without gaps.
 */
export abstract class PatientRepository {
  /** Stores a new patient and lists it, atomically; PatientExistsError when the id is taken. */
  abstract create(
    tenant: string,
    id: string,
    doc: PatientDocument,
    audit?: AuditRecordInput,
  ): Promise<WrittenPatient>;
  abstract findById(tenant: string, id: string): Promise<StoredPatient | null>;
  /**
   * Replaces an existing patient; with `expectedRev`, only if the stored revision still is that
   * one (RevisionMismatchError otherwise). PatientNotFoundError when the id does not exist.
   */
  abstract replace(
    tenant: string,
    id: string,
    doc: PatientDocument,
    expectedRev?: number,
    audit?: AuditRecordInput,
  ): Promise<WrittenPatient>;
  /** Erases a patient and its index entry, atomically; null when there was none. */
  abstract erase(
    tenant: string,
    id: string,
    audit?: AuditRecordInput,
  ): Promise<ErasedPatient | null>;
  /** The tenant's patients in id order, strictly after `after`, at most `limit` of them. */
  abstract list(tenant: string, limit: number, after?: string): Promise<PatientPage>;
  /** Throws StorageUnavailableError unless the store answers. */
  abstract ping(): Promise<void>;
}
