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
 */
export abstract class PatientRepository {
  /** Stores a new patient and lists it, atomically; PatientExistsError when the id is taken. */
  abstract create(tenant: string, id: string, doc: PatientDocument): Promise<StoredPatient>;
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
  ): Promise<StoredPatient>;
  /** Erases a patient and its index entry, atomically; false when there was none. */
  abstract erase(tenant: string, id: string): Promise<boolean>;
  /** The tenant's patients in id order, strictly after `after`, at most `limit` of them. */
  abstract list(tenant: string, limit: number, after?: string): Promise<PatientPage>;
  /** Throws StorageUnavailableError unless the store answers. */
  abstract ping(): Promise<void>;
}
