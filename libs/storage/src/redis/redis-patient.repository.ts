import { Cluster } from 'ioredis';
import { recordDigest } from '../audit/audit-chain';
import type { AuditRecordInput } from '../audit/audit-store';
import { RecordCodec } from '../crypto/record-codec';
import {
  ErasedPatient,
  PatientDocument,
  PatientPage,
  PatientRepository,
  StoredPatient,
  WrittenPatient,
} from '../patient-repository';
import {
  PatientExistsError,
  PatientNotFoundError,
  RecordIntegrityError,
  RevisionMismatchError,
  StorageUnavailableError,
} from '../storage-errors';
import type { ErasureCompactor } from './erasure-compactor';
import {
  auditBlock,
  auditOutcome,
  type AuditedReply,
  type RedisAuditStore,
} from './redis-audit-store';
import { RedisConnection } from './redis-connection';
import { indexKey, recordKey } from './redis-key-layout';

/** How many times a replace without If-Match retries when it races another writer. */
const REPLACE_ATTEMPTS = 8;

/** The PatientRepository port on Redis: standalone, Sentinel or Cluster. */
export class RedisPatientRepository extends PatientRepository {
  constructor(
    private readonly redis: RedisConnection,
    private readonly codec: RecordCodec,
    private readonly compactor: ErasureCompactor,
    private readonly audit: RedisAuditStore,
  ) {
    super();
  }

  async create(
    tenant: string,
    id: string,
    doc: PatientDocument,
    audit?: AuditRecordInput,
  ): Promise<WrittenPatient> {
    const key = recordKey(tenant, id);
    const value = this.codec.seal(tenant, id, 1, doc);
    const { code, stored } = await this.audited(tenant, id, audit, value, (block) =>
      block
        ? this.redis.run<AuditedReply>(
            'createListedAudited',
            key,
            indexKey(tenant),
            ...block.keys,
            value,
            id,
            ...block.args,
          )
        : this.redis.script('createListed', key, indexKey(tenant), value, id),
    );
    if (code !== 1) throw new PatientExistsError(id);
    return { tenant, id, rev: 1, doc, ...stored };
  }

  async findById(tenant: string, id: string): Promise<StoredPatient | null> {
    const key = recordKey(tenant, id);
    const raw = await this.redis.call(() => this.redis.client.get(key));
    return raw === null ? null : this.codec.open(tenant, id, raw);
  }

  async replace(
    tenant: string,
    id: string,
    doc: PatientDocument,
    expectedRev?: number,
    audit?: AuditRecordInput,
  ): Promise<WrittenPatient> {
    const key = recordKey(tenant, id);
    for (let attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
      let base = expectedRev;
      if (base === undefined) {
        const current = await this.findById(tenant, id);
        if (!current) throw new PatientNotFoundError(id);
        base = current.rev;
      }
      const rev = base + 1;
      const value = this.codec.seal(tenant, id, rev, doc);
      const { code: outcome, stored } = await this.audited(tenant, id, audit, value, (block) =>
        block
          ? this.redis.run<AuditedReply>(
              'replaceIfRevAudited',
              key,
              ...block.keys,
              String(base),
              value,
              ...block.args,
            )
          : this.redis.script('replaceIfRev', key, String(base), value),
      );
      if (outcome === 0) return { tenant, id, rev, doc, ...stored };
      if (outcome === -1) throw new PatientNotFoundError(id);
      if (outcome === -2) throw new RecordIntegrityError(id, 'stored value is not an envelope');
      if (expectedRev !== undefined) throw new RevisionMismatchError(id, outcome);
      // Without If-Match the caller asked for last-writer-wins: retry on the newer revision.
    }
    throw new StorageUnavailableError('too much contention on one record');
  }

  async erase(tenant: string, id: string, audit?: AuditRecordInput): Promise<ErasedPatient | null> {
    const key = recordKey(tenant, id);
    const index = indexKey(tenant);
    const { code: removed, stored } = await this.audited(tenant, id, audit, null, (block) =>
      block
        ? this.redis.run<AuditedReply>(
            'eraseListedAudited',
            key,
            index,
            ...block.keys,
            id,
            ...block.args,
          )
        : this.redis.script('eraseListed', key, index, id),
    );
    if (removed <= 0) return null;
    // The value is gone from memory; the append-only file still has it until Redis rewrites it.
    this.compactor.erased(tenant);
    return { tenant, id, ...stored };
  }

  /**
   * Runs a write script: without `audit` the plain one (`run(null)`), with it the audited one
   * in its chain's turn, given the event's audit block. `value` is what the change stores (null:
   * an erasure); the event names its digest. Answers the change's code and the stored event.
   */
  async audited(
    tenant: string,
    id: string,
    audit: AuditRecordInput | undefined,
    value: string | null,
    run: (block: { keys: string[]; args: string[] } | null) => Promise<number | AuditedReply>,
  ): Promise<{ code: number; stored: Pick<WrittenPatient, 'audit'> }> {
    if (!audit) return { code: (await run(null)) as number, stored: {} };
    const digest = value === null ? null : recordDigest(value);
    const { result, stored } = await this.audit.chains.write(
      tenant,
      id,
      audit,
      digest,
      async (batch) => auditOutcome((await run(auditBlock(batch))) as AuditedReply),
    );
    return { code: result, stored: stored ? { audit: stored } : {} };
  }

  async list(tenant: string, limit: number, after?: string): Promise<PatientPage> {
    const index = indexKey(tenant);
    const items: StoredPatient[] = [];
    const withheld: string[] = [];
    let cursor = after;
    // Creates and erasures change the index with the record, so an entry without a record is
    // one erased between the two reads: skipped. Keep reading until the page is full or the
    // index ends. A record failing its integrity check does not take the whole listing down: it
    // is withheld and named.
    for (;;) {
      const want = limit - items.length;
      const start = cursor === undefined ? '-' : `(${cursor}`;
      const ids = await this.redis.call(() =>
        this.redis.client.zrangebylex(index, start, '+', 'LIMIT', 0, want + 1),
      );
      const batch = ids.slice(0, want);
      const records = await Promise.all(batch.map((id) => this.findReadable(tenant, id)));
      for (const record of records) {
        if (record instanceof RecordIntegrityError) withheld.push(record.id);
        else if (record) items.push(record);
      }
      if (ids.length <= want) return { items, nextAfter: null, withheld };
      cursor = batch[batch.length - 1];
      if (items.length + withheld.length >= limit) return { items, nextAfter: cursor, withheld };
    }
  }

  /**
   * Standalone and Sentinel: PING the master. Cluster: every master known must answer and see
   * the cluster as ok (all slots served), since a tenant's records may live on any of them.
   */
  async ping(): Promise<void> {
    const client = this.redis.client;
    if (!(client instanceof Cluster)) {
      await this.redis.call(() => client.ping());
      return;
    }
    const masters = this.redis.masters();
    const states = await this.redis.call(() =>
      Promise.all(masters.map((node) => node.cluster('INFO'))),
    );
    if (!states.every((info) => /^cluster_state:ok\s*$/m.test(info))) {
      throw new StorageUnavailableError('the cluster does not serve every slot');
    }
  }

  private async findReadable(
    tenant: string,
    id: string,
  ): Promise<StoredPatient | RecordIntegrityError | null> {
    try {
      return await this.findById(tenant, id);
    } catch (error) {
      if (error instanceof RecordIntegrityError) return error;
      throw error;
    }
  }
}
