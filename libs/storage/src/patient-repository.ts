/**
 * What is kept for one patient. Storage does not interpret it: it is sealed (encrypted and
 * authenticated) as a whole before it leaves the process.
 */
export interface PatientDocument {
  fields: Readonly<Record<string, string>>;
  score: number;
  scoreModel: string;
}

/** A stored patient: its id, its revision (1 on create, +1 on every replace) and its document. */
export interface StoredPatient {
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
 * The storage port. Adapters: Redis (production) and memory (exploring). Errors are the ones in
 * storage-errors.ts; anything else from a driver is a bug in the adapter.
 */
export abstract class PatientRepository {
  /** Stores a new patient atomically; PatientExistsError when the id is taken. */
  abstract create(id: string, doc: PatientDocument): Promise<StoredPatient>;
  abstract findById(id: string): Promise<StoredPatient | null>;
  /**
   * Replaces an existing patient; with `expectedRev`, only if the stored revision still is that
   * one (RevisionMismatchError otherwise). PatientNotFoundError when the id does not exist.
   */
  abstract replace(id: string, doc: PatientDocument, expectedRev?: number): Promise<StoredPatient>;
  /** Erases a patient and every index entry; false when there was none. */
  abstract erase(id: string): Promise<boolean>;
  /** Patients in id order, strictly after `after` (exclusive), at most `limit` of them. */
  abstract list(limit: number, after?: string): Promise<PatientPage>;
  /** Throws StorageUnavailableError unless the store answers. */
  abstract ping(): Promise<void>;
}
