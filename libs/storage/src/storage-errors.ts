/** The id is already taken. */
export class PatientExistsError extends Error {
  override readonly name = 'PatientExistsError';
  readonly code = 'patient_exists' as const;
  constructor(readonly id: string) {
    super('patient already exists');
  }
}

export class PatientNotFoundError extends Error {
  override readonly name = 'PatientNotFoundError';
  readonly code = 'patient_not_found' as const;
  constructor(readonly id: string) {
    super('patient not found');
  }
}

/** The stored revision is not the one the caller expected (optimistic concurrency). */
export class RevisionMismatchError extends Error {
  override readonly name = 'RevisionMismatchError';
  readonly code = 'revision_mismatch' as const;
  constructor(
    readonly id: string,
    readonly actualRev: number,
  ) {
    super('patient was changed by someone else');
  }
}

/** The store did not answer (down, failing over, timed out); the caller may retry later. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  readonly code = 'storage_unavailable' as const;
  constructor(message = 'storage unavailable', cause?: unknown) {
    super(message, { cause });
  }
}

/** A stored record failed authentication: tampered, moved, or sealed with an unknown key. */
export class RecordIntegrityError extends Error {
  override readonly name = 'RecordIntegrityError';
  readonly code = 'record_integrity' as const;
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super('record integrity check failed');
  }
}

/** Every error the storage port throws; `code` tells them apart (see the API's error catalogue). */
export type StorageError =
  | PatientExistsError
  | PatientNotFoundError
  | RevisionMismatchError
  | StorageUnavailableError
  | RecordIntegrityError;
