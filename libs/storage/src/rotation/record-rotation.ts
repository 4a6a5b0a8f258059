import type { RedisPatientRepository } from '../redis/redis-patient-repository';

export interface RotationProgress {
  /** Records in the index when the run started. */
  total: number;
  /** Records looked at so far. */
  seen: number;
  rotated: number;
  alreadyCurrent: number;
  /** Index entries whose record is gone (erased meanwhile). */
  missing: number;
}

/**
 * Moves every record onto the active key. Each record is swapped atomically, and records already
 * under the active key are skipped, so the run can be interrupted at any point and re-run: nothing
 * is lost and nothing is done twice.
 */
export async function rotateRecordKeys(
  repository: RedisPatientRepository,
  onProgress: (progress: RotationProgress) => void = () => undefined,
  batchSize = 200,
): Promise<RotationProgress> {
  const progress: RotationProgress = {
    total: await repository.countIndexed(),
    seen: 0,
    rotated: 0,
    alreadyCurrent: 0,
    missing: 0,
  };
  onProgress(progress);
  let after: string | undefined;
  for (;;) {
    const ids = await repository.indexedIdsAfter(after, batchSize);
    if (ids.length === 0) return progress;
    const outcomes = await Promise.all(ids.map((id) => repository.rekey(id)));
    for (const outcome of outcomes) {
      progress.seen++;
      if (outcome === 'rotated') progress.rotated++;
      else if (outcome === 'current') progress.alreadyCurrent++;
      else progress.missing++;
    }
    progress.total = Math.max(progress.total, progress.seen);
    onProgress(progress);
    after = ids[ids.length - 1];
  }
}
