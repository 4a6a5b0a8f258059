export interface RotationProgress {
  /** Records in the keyspace when the run started (grows if more turn up meanwhile). */
  total: number;
  /** Records looked at so far. */
  seen: number;
  rotated: number;
  alreadyCurrent: number;
  /** Records erased between being found and being read. */
  missing: number;
  /** Records still in the layout before tenants: not rotated (`tenants:migrate` moves them). */
  legacy: number;
  /**
   * Records the closing check still found under an old key: sealed meanwhile by a process that
   * still uses an old key as its active one. 0 means every record is under the active key.
   */
  stale: number;
  /** Records that fail their integrity check (tampered, or under a key the ring lacks): kept. */
  unreadable: Array<{ tenant: string; id: string }>;
}

/**
 * The key-rotation port: moves every stored record, of every tenant, onto the active record key.
 * Records are found from the keyspace itself, not from an index. Each record is swapped
 * atomically and records already under the active key are skipped, so a run can be interrupted
 * at any point and re-run: nothing is lost and nothing is done twice.
 */
export abstract class RecordKeyRotator {
  /** The key id records are sealed with after the rotation. */
  abstract readonly activeKeyId: string;
  abstract rotate(onProgress?: (progress: RotationProgress) => void): Promise<RotationProgress>;
}
