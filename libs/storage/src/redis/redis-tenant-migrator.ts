import { systemEvent } from '../audit/audit-trim';
import { LegacyRecordCodec } from '../crypto/legacy-record-codec';
import { RecordCodec } from '../crypto/record-codec';
import { TenantMigrator, type MigrationProgress } from '../maintenance/tenant-migrator';
import type { PatientDocument } from '../patient-repository';
import { RecordIntegrityError } from '../storage-errors';
import { assertAddress, isRecordId } from '../tenant';
import { RedisConnection } from './redis-connection';
import type { RedisPatientRepository } from './redis-patient.repository';
import {
  indexKey,
  LEGACY_INDEX_KEY,
  LEGACY_RECORD_KEY_PATTERN,
  legacyRecordKey,
  parseLegacyRecordKey,
  recordKey,
} from './redis-key-layout';
import { countKeys, readValues, scanKeyspace } from './scan-keyspace';

type Outcome = 'migrated' | 'resumed' | 'missing' | 'conflict' | 'integrity';

/**
 * Moves the records of the layout before tenants (`patient:<id>`, one `patients:index`) into a
 * tenant's keys, found from the keyspace (SCAN on every master), so records the old index missed
 * move too. Outside Cluster a record moves in one script: it is in the old layout or in the new,
 * never both. In Cluster the old key and the tenant's keys are in different slots, so a record is
 * first copied (with its index entry, atomically) and then the old copy is deleted; a run
 * interrupted in between finds its own copy next time and finishes the move.
 */
export class RedisTenantMigrator extends TenantMigrator {
  constructor(
    private readonly redis: RedisConnection,
    private readonly codec: RecordCodec,
    private readonly legacy: LegacyRecordCodec,
    private readonly repository: RedisPatientRepository,
  ) {
    super();
  }

  async migrateLegacyRecords(
    tenant: string,
    onProgress: (progress: MigrationProgress) => void = () => undefined,
  ): Promise<MigrationProgress> {
    assertAddress(tenant);
    const progress: MigrationProgress = {
      total: await countKeys(this.redis, LEGACY_RECORD_KEY_PATTERN),
      seen: 0,
      migrated: 0,
      resumed: 0,
      missing: 0,
      orphansDropped: 0,
      leftBehind: [],
    };
    onProgress(progress);
    const seen = new Set<string>();
    for await (const { node, keys } of scanKeyspace(this.redis, LEGACY_RECORD_KEY_PATTERN)) {
      const fresh = keys.filter((key) => !seen.has(key) && parseLegacyRecordKey(key) !== null);
      for (const key of fresh) seen.add(key);
      const values = await readValues(this.redis, node, fresh);
      const outcomes = await Promise.all(
        fresh.map(async (key, i) => {
          const id = parseLegacyRecordKey(key)!;
          return { id, outcome: await this.move(tenant, id, values[i]) };
        }),
      );
      for (const { id, outcome } of outcomes) {
        progress.seen++;
        if (outcome === 'migrated') progress.migrated++;
        else if (outcome === 'resumed') progress.resumed++;
        else if (outcome === 'missing') progress.missing++;
        else progress.leftBehind.push({ id, reason: outcome });
      }
      progress.total = Math.max(progress.total, progress.seen);
      onProgress(progress);
    }
    progress.orphansDropped = await this.dropOrphanEntries();
    onProgress(progress);
    return progress;
  }

  private async move(tenant: string, id: string, first: string | null): Promise<Outcome> {
    const oldKey = legacyRecordKey(id);
    const key = recordKey(tenant, id);
    const index = indexKey(tenant);
    for (let raw = first; ; raw = await this.redis.call(() => this.redis.client.get(oldKey))) {
      if (raw === null) return 'missing';
      let old: { rev: number; doc: PatientDocument };
      try {
        old = this.legacy.open(id, raw);
      } catch (error) {
        if (error instanceof RecordIntegrityError) return 'integrity';
        throw error;
      }
      const sealed = this.codec.seal(tenant, id, old.rev, old.doc);
      // The record enters the tenant with a `record.migrate` event naming it, in the same step.
      const event = systemEvent(tenant, id, 'record.migrate');
      if (!this.redis.cluster) {
        const { code: moved } = await this.repository.audited(tenant, id, event, sealed, (block) =>
          this.redis.run(
            'moveLegacyAudited',
            oldKey,
            LEGACY_INDEX_KEY,
            key,
            index,
            ...block!.keys,
            raw,
            sealed,
            id,
            ...block!.args,
          ),
        );
        if (moved === 1) return 'migrated';
        if (moved === 0) continue; // changed or gone since read: look again
      } else {
        const { code: created } = await this.repository.audited(
          tenant,
          id,
          event,
          sealed,
          (block) =>
            this.redis.run(
              'createListedAudited',
              key,
              index,
              ...block!.keys,
              sealed,
              id,
              ...block!.args,
            ),
        );
        if (created === 1) {
          if (await this.dropOld(oldKey, raw, id)) return 'migrated';
          continue;
        }
      }
      // The tenant has a record under this id: the copy of an interrupted run, or another one.
      if (!(await this.holdsSame(tenant, id, key, old))) return 'conflict';
      if (await this.dropOld(oldKey, raw, id)) return 'resumed';
    }
  }

  private async holdsSame(
    tenant: string,
    id: string,
    key: string,
    old: { rev: number; doc: PatientDocument },
  ): Promise<boolean> {
    const raw = await this.redis.call(() => this.redis.client.get(key));
    if (raw === null) return false;
    try {
      const current = this.codec.open(tenant, id, raw);
      return current.rev === old.rev && JSON.stringify(current.doc) === JSON.stringify(old.doc);
    } catch (error) {
      if (error instanceof RecordIntegrityError) return false;
      throw error;
    }
  }

  /** Deletes the old copy if it still is the value migrated, and its old index entry. */
  private async dropOld(oldKey: string, raw: string, id: string): Promise<boolean> {
    if ((await this.redis.script('deleteIfEqual', oldKey, raw)) !== 1) return false;
    await this.redis.call(() => this.redis.client.zrem(LEGACY_INDEX_KEY, id));
    return true;
  }

  /** Old index entries whose record is gone (creates that failed half-way before this version). */
  private async dropOrphanEntries(): Promise<number> {
    let dropped = 0;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.call(() =>
        this.redis.client.zscan(LEGACY_INDEX_KEY, cursor, 'COUNT', 500),
      );
      cursor = next;
      const ids = flat.filter((_, i) => i % 2 === 0);
      for (const id of ids) {
        if (isRecordId(id)) {
          const key = legacyRecordKey(id);
          if ((await this.redis.call(() => this.redis.client.exists(key))) > 0) continue;
        }
        dropped += await this.redis.call(() => this.redis.client.zrem(LEGACY_INDEX_KEY, id));
      }
    } while (cursor !== '0');
    return dropped;
  }
}
