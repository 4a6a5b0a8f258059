import {
  AuditChains,
  assertPage,
  type AuditBackend,
  type CommitOutcome,
  type PreparedBatch,
} from '../audit/audit-chains';
import { decodeEntry, fieldsFromList } from '../audit/audit-entry';
import {
  AuditStore,
  type AuditChainHead,
  type AuditPage,
  type AuditRecordInput,
  type AuditTrimResult,
  type StoredAuditEvent,
} from '../audit/audit-store';
import { trimTrails, type TrimBackend, type TrimMark } from '../audit/audit-trim';
import {
  AuditVerifier,
  verifyTrails,
  type AuditVerification,
  type AuditVerifyOptions,
  type RawAuditEntry,
  type TrailSnapshot,
} from '../audit/audit-verifier';
import { isRecordId } from '../tenant';
import { RedisConnection } from './redis-connection';
import {
  auditEventsKey,
  auditHeadKey,
  auditMarksKey,
  auditPatientKey,
  auditWritesKey,
  parseAuditKey,
  parseRecordKey,
  recordKey,
} from './redis-key-layout';
import { scanKeyspace } from './scan-keyspace';

/** Entries read per round trip when a whole trail is read (verification). */
const READ_PAGE = 1000;

/** An event id as a member of a patient's index: fixed width, so lexical order is id order. */
export function indexMember(id: string): string {
  const [ms, n] = id.split('-');
  return `${ms.padStart(14, '0')}-${n.padStart(10, '0')}`;
}

/** A script's reply: {'mismatch'}, {code} or {code, event ids…}. */
export type AuditedReply = [number | 'mismatch', ...string[]];

/** The keys and arguments of a batch's audit block (see redis-scripts.ts). */
export function auditBlock(batch: PreparedBatch): { keys: string[]; args: string[] } {
  const { tenant, chain } = batch;
  const positions = new Map<string, number>();
  const patientKeys: string[] = [];
  const args = [chain, batch.expectedHead, batch.newHead, String(batch.events.length)];
  for (const event of batch.events) {
    const refs = event.filed.map((patient) => {
      let position = positions.get(patient);
      if (position === undefined) {
        patientKeys.push(auditPatientKey(tenant, patient));
        position = patientKeys.length;
        positions.set(patient, position);
      }
      return String(position);
    });
    args.push(String(event.seq), event.prev, event.mac, event.json, event.writeOf ?? '');
    args.push(String(refs.length), ...refs);
  }
  const keys = [
    auditEventsKey(tenant),
    auditHeadKey(tenant, chain),
    auditMarksKey(tenant),
    auditWritesKey(tenant),
    ...patientKeys,
  ];
  return { keys, args };
}

/** A script's reply as a chain step's outcome; `code` is the change's own answer. */
export function auditOutcome(reply: AuditedReply): CommitOutcome<number> {
  const [code, ...ids] = reply;
  if (code === 'mismatch') return { kind: 'mismatch' };
  return ids.length > 0 ? { kind: 'stored', ids, result: code } : { kind: 'refused', result: code };
}

/**
 * The audit trail on Redis. Per tenant, in the tenant's slot: `audit:{t}:events` (a stream, one
 * entry per event), `audit:{t}:patient:<id>` (a sorted set of the patient's event ids),
 * `audit:{t}:head:<chain>`, `audit:{t}:trimmed` and `audit:{t}:writes` (see redis-key-layout.ts).
 */
export class RedisAuditStore extends AuditStore implements AuditBackend, TrimBackend {
  readonly chains: AuditChains;

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: Buffer,
  ) {
    super();
    this.chains = new AuditChains(key, this, redis.logger);
  }

  append(tenant: string, events: readonly AuditRecordInput[]): Promise<StoredAuditEvent[]> {
    return this.chains.append(tenant, events);
  }

  async readPatient(
    tenant: string,
    patientId: string,
    limit: number,
    after?: string,
  ): Promise<AuditPage> {
    assertPage(tenant, limit, after);
    if (!isRecordId(patientId)) throw new RangeError('invalid record id');
    const start = after === undefined ? '-' : `(${indexMember(after)}`;
    const rows = await this.redis.read<Array<[string, string[] | null]>>(
      'auditReadPatient',
      auditPatientKey(tenant, patientId),
      auditEventsKey(tenant),
      start,
      String(limit + 1),
    );
    const page = rows.slice(0, limit);
    const events = page
      .filter((row): row is [string, string[]] => row[1] !== null)
      .map(([id, list]) => decodeEntry(tenant, id, fieldsFromList(list)));
    return { events, next: rows.length > limit ? page[page.length - 1][0] : null };
  }

  async readAll(tenant: string, limit: number, after?: string): Promise<AuditPage> {
    assertPage(tenant, limit, after);
    const rows = await this.range(tenant, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      events: page.map(([id, list]) => decodeEntry(tenant, id, fieldsFromList(list))),
      next: rows.length > limit ? page[page.length - 1][0] : null,
    };
  }

  heads(tenant?: string): Promise<AuditChainHead[]> {
    return Promise.resolve(this.chains.heads(tenant));
  }

  trim(olderThan: Date): Promise<AuditTrimResult> {
    return trimTrails(this, this.chains, this.key, olderThan);
  }

  // The chains' backend.

  async commitAppend(batch: PreparedBatch): Promise<CommitOutcome<void>> {
    const { keys, args } = auditBlock(batch);
    const reply = await this.redis.run<AuditedReply>(
      'auditAppend',
      String(keys.length),
      ...keys,
      ...args,
    );
    const outcome = auditOutcome(reply);
    return outcome.kind === 'stored' ? { ...outcome, result: undefined } : { kind: 'mismatch' };
  }

  readHead(tenant: string, chain: string): Promise<string> {
    return this.redis.read<string>(
      'auditHead',
      auditHeadKey(tenant, chain),
      auditMarksKey(tenant),
      chain,
    );
  }

  // Retention.

  async trailTenants(): Promise<string[]> {
    const tenants = new Set<string>();
    for await (const { keys } of scanKeyspace(this.redis, 'audit:{*}:events')) {
      for (const key of keys) {
        const parsed = parseAuditKey(key);
        if (parsed?.role === 'events') tenants.add(parsed.tenant);
      }
    }
    return [...tenants].sort();
  }

  async oldest(tenant: string, beforeId: string, limit: number): Promise<RawAuditEntry[]> {
    if (beforeId === '0-0') return [];
    const rows = await this.redis.call(() =>
      this.redis.client.xrange(auditEventsKey(tenant), '-', `(${beforeId}`, 'COUNT', limit),
    );
    return rows.map(([id, list]) => ({ id, fields: fieldsFromList(list) }));
  }

  async lastWrites(tenant: string, patientIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(patientIds)];
    const found = new Map<string, string>();
    if (ids.length === 0) return found;
    const values = await this.redis.call(() =>
      this.redis.client.hmget(auditWritesKey(tenant), ...ids),
    );
    ids.forEach((id, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) found.set(id, value);
    });
    return found;
  }

  record(tenant: string, id: string): Promise<string | null> {
    if (!isRecordId(id) || tenant === '*') return Promise.resolve(null);
    return this.redis.call(() => this.redis.client.get(recordKey(tenant, id)));
  }

  async retain(
    tenant: string,
    id: string,
    value: string,
    lastWriteId: string,
    batch: PreparedBatch,
  ): Promise<CommitOutcome<void>> {
    const { keys, args } = auditBlock(batch);
    const reply = await this.redis.run<AuditedReply>(
      'retainIfEqual',
      recordKey(tenant, id),
      ...keys,
      value,
      lastWriteId,
      id,
      ...args,
    );
    const outcome = auditOutcome(reply);
    return outcome.kind === 'mismatch' ? outcome : { ...outcome, result: undefined };
  }

  async cut(
    tenant: string,
    lastId: string,
    marks: TrimMark[],
    patients: string[],
    erased: Array<[string, string]>,
  ): Promise<void> {
    const [ms, n] = lastId.split('-');
    const minId = `${ms}-${BigInt(n) + 1n}`;
    const filed = patients.filter(isRecordId);
    const keys = [
      auditEventsKey(tenant),
      auditMarksKey(tenant),
      auditWritesKey(tenant),
      ...marks.map((mark) => auditHeadKey(tenant, mark.chain)),
      ...filed.map((patient) => auditPatientKey(tenant, patient)),
    ];
    const args = [
      minId,
      indexMember(minId),
      String(marks.length),
      String(filed.length),
      String(erased.length),
    ];
    for (const mark of marks) args.push(mark.chain, String(mark.seq), mark.hash, mark.mac);
    for (const [patient, entryId] of erased) args.push(patient, entryId);
    await this.redis.run<number>('auditTrim', String(keys.length), ...keys, ...args);
  }

  private range(tenant: string, after: string | undefined, count: number) {
    const start = after === undefined ? '-' : `(${after}`;
    return this.redis.call(() =>
      this.redis.client.xrange(auditEventsKey(tenant), start, '+', 'COUNT', count),
    );
  }

  /** Reads a whole trail for the verifier (a new snapshot per run). */
  snapshot(): TrailSnapshot {
    return new RedisTrailSnapshot(this.redis, (tenant, after, count) =>
      this.range(tenant, after, count),
    );
  }
}

/**
 * What the verifier reads from Redis. The keyspace is scanned once (every master): the tenants,
 * their chains' heads and their records' keys; everything else is read as the verifier asks.
 */
class RedisTrailSnapshot implements TrailSnapshot {
  private scanned: Promise<Map<string, { heads: string[]; records: string[] }>> | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly range: (
      tenant: string,
      after: string | undefined,
      count: number,
    ) => Promise<Array<[string, string[]]>>,
  ) {}

  async tenants(): Promise<string[]> {
    return [...(await this.scan()).keys()];
  }

  async *entries(tenant: string, after?: string): AsyncIterable<RawAuditEntry[]> {
    let cursor = after;
    for (;;) {
      const rows = await this.range(tenant, cursor, READ_PAGE);
      if (rows.length === 0) return;
      yield rows.map(([id, list]) => ({ id, fields: fieldsFromList(list) }));
      if (rows.length < READ_PAGE) return;
      cursor = rows[rows.length - 1][0];
    }
  }

  async storedHeads(tenant: string): Promise<Map<string, string>> {
    const chains = (await this.scan()).get(tenant)?.heads ?? [];
    const heads = new Map<string, string>();
    if (chains.length === 0) return heads;
    const values = await this.redis.call(() =>
      this.redis.client.mget(...chains.map((chain) => auditHeadKey(tenant, chain))),
    );
    chains.forEach((chain, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) heads.set(chain, value);
    });
    return heads;
  }

  async marks(tenant: string): Promise<Map<string, string>> {
    const all = await this.redis.call(() => this.redis.client.hgetall(auditMarksKey(tenant)));
    return new Map(Object.entries(all));
  }

  async *records(tenant: string): AsyncIterable<Array<{ id: string; value: string }>> {
    const ids = (await this.scan()).get(tenant)?.records ?? [];
    for (let i = 0; i < ids.length; i += READ_PAGE) {
      const chunk = ids.slice(i, i + READ_PAGE);
      // One tenant's keys share a slot: one MGET, on the node that holds them.
      const values = await this.redis.call(() =>
        this.redis.client.mget(...chunk.map((id) => recordKey(tenant, id))),
      );
      const page: Array<{ id: string; value: string }> = [];
      chunk.forEach((id, n) => {
        const value = values[n];
        if (value !== null && value !== undefined) page.push({ id, value });
      });
      yield page;
    }
  }

  private scan(): Promise<Map<string, { heads: string[]; records: string[] }>> {
    this.scanned ??= (async () => {
      const tenants = new Map<string, { heads: Set<string>; records: Set<string> }>();
      const of = (tenant: string) => {
        let entry = tenants.get(tenant);
        if (!entry) {
          entry = { heads: new Set(), records: new Set() };
          tenants.set(tenant, entry);
        }
        return entry;
      };
      for await (const { keys } of scanKeyspace(this.redis, '*', 1000)) {
        for (const key of keys) {
          const record = parseRecordKey(key);
          if (record) {
            of(record.tenant).records.add(record.id);
            continue;
          }
          const audit = parseAuditKey(key);
          if (!audit) continue;
          const entry = of(audit.tenant);
          if (audit.role === 'head' && audit.chain) entry.heads.add(audit.chain);
        }
      }
      return new Map(
        [...tenants].map(([tenant, { heads, records }]) => [
          tenant,
          { heads: [...heads].sort(), records: [...records].sort() },
        ]),
      );
    })();
    return this.scanned;
  }
}

/** The verifier on Redis: reads the store afresh on each run. */
export class RedisAuditVerifier extends AuditVerifier {
  constructor(
    private readonly store: RedisAuditStore,
    private readonly key: Buffer,
  ) {
    super();
  }

  verify(options: AuditVerifyOptions = {}): Promise<AuditVerification> {
    return verifyTrails(this.store.snapshot(), this.key, options);
  }
}
