import { systemEvent } from '../audit/audit-trim';
import { RecordCodec } from '../crypto/record-codec';
import { RecordKeyRotator, type RotationProgress } from '../maintenance/record-key-rotator';
import { RecordIntegrityError } from '../storage-errors';
import { RedisConnection } from './redis-connection';
import type { RedisPatientRepository } from './redis-patient.repository';
import { LEGACY_RECORD_KEY_PATTERN, parseRecordKey, RECORD_KEY_PATTERN } from './redis-key-layout';
import { countKeys, readValues, scanKeyspace, type KeyBatch } from './scan-keyspace';

/** Closing checks before giving up on records that keep arriving under an old key. */
const CHECK_PASSES = 3;

type Outcome = 'rotated' | 'current' | 'missing' | 'unreadable';

/** Key rotation on Redis: walks the keyspace (SCAN, every master), not the tenants' indexes. */
export class RedisRecordKeyRotator extends RecordKeyRotator {
  constructor(
    private readonly redis: RedisConnection,
    private readonly codec: RecordCodec,
    private readonly repository: RedisPatientRepository,
  ) {
    super();
  }

  get activeKeyId(): string {
    return this.codec.activeKeyId;
  }

  async rotate(
    onProgress: (progress: RotationProgress) => void = () => undefined,
  ): Promise<RotationProgress> {
    const progress: RotationProgress = {
      total: await countKeys(this.redis, RECORD_KEY_PATTERN),
      seen: 0,
      rotated: 0,
      alreadyCurrent: 0,
      missing: 0,
      legacy: await countKeys(this.redis, LEGACY_RECORD_KEY_PATTERN),
      stale: 0,
      unreadable: [],
    };
    onProgress(progress);
    const unreadable = new Set<string>();
    const seen = new Set<string>();
    for await (const batch of scanKeyspace(this.redis, RECORD_KEY_PATTERN)) {
      const fresh = batch.keys.filter((key) => !seen.has(key));
      for (const key of fresh) seen.add(key);
      const outcomes = await this.rekeyBatch({ node: batch.node, keys: fresh }, unreadable);
      for (const outcome of outcomes) {
        progress.seen++;
        if (outcome === 'rotated') progress.rotated++;
        else if (outcome === 'current') progress.alreadyCurrent++;
        else if (outcome === 'missing') progress.missing++;
      }
      progress.total = Math.max(progress.total, progress.seen);
      onProgress(progress);
    }
    // A record sealed meanwhile by a server that still uses the old key as its active one is
    // not current: look again until a pass finds none, so "done" never hides one.
    for (let pass = 0; pass < CHECK_PASSES; pass++) {
      progress.stale = 0;
      for await (const batch of scanKeyspace(this.redis, RECORD_KEY_PATTERN)) {
        const outcomes = await this.rekeyBatch(batch, unreadable);
        progress.stale += outcomes.filter((outcome) => outcome === 'rotated').length;
      }
      progress.rotated += progress.stale;
      if (progress.stale === 0) break;
    }
    progress.unreadable = [...unreadable].map((key) => parseRecordKey(key)!);
    onProgress(progress);
    return progress;
  }

  /** Reads a batch in one round trip, then swaps each value not under the active key. */
  private async rekeyBatch(batch: KeyBatch, unreadable: Set<string>): Promise<Outcome[]> {
    const values = await readValues(this.redis, batch.node, batch.keys);
    return Promise.all(
      batch.keys.map(async (key, i): Promise<Outcome> => {
        const outcome = await this.rekey(key, values[i]);
        if (outcome === 'unreadable') unreadable.add(key);
        return outcome;
      }),
    );
  }

  /**
   * Re-seals one record under the active key, keeping its revision. Atomic: the new value only
   * replaces the exact value that was read, so a concurrent update is never overwritten; a
   * `record.rekey` event naming the new value is stored in the same step.
   */
  private async rekey(key: string, first: string | null): Promise<Outcome> {
    const address = parseRecordKey(key);
    if (!address) return 'missing';
    const { tenant, id } = address;
    for (let raw = first; ; raw = await this.redis.call(() => this.redis.client.get(key))) {
      if (raw === null) return 'missing';
      try {
        if (this.codec.keyIdOf(id, raw) === this.codec.activeKeyId) return 'current';
        const { rev, doc } = this.codec.open(tenant, id, raw);
        const sealed = this.codec.seal(tenant, id, rev, doc);
        const event = systemEvent(tenant, id, 'record.rekey');
        const { code } = await this.repository.audited(tenant, id, event, sealed, (block) =>
          this.redis.run('swapIfEqualAudited', key, ...block!.keys, raw, sealed, ...block!.args),
        );
        if (code === 1) return 'rotated';
      } catch (error) {
        if (error instanceof RecordIntegrityError) return 'unreadable';
        throw error;
      }
      // Changed meanwhile (an update, already under the active key): look again.
    }
  }
}
