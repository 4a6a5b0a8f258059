import { Logger } from '@nestjs/common';
import {
  AuditChains,
  assertPage,
  type AuditBackend,
  type CommitOutcome,
  type PreparedBatch,
} from '../audit/audit-chains';
import { compareEntryIds, decodeEntry, entryFieldsOf } from '../audit/audit-entry';
import {
  AuditStore,
  NO_TENANT_TRAIL,
  type AuditChainHead,
  type AuditPage,
  type AuditRecordInput,
  type AuditTrimResult,
  type StoredAuditEvent,
} from '../audit/audit-store';
import { trimTrails, type TrimBackend, type TrimMark } from '../audit/audit-trim';
import type { RawAuditEntry, TrailSnapshot } from '../audit/audit-verifier';
import { isRecordId } from '../tenant';
import type { MemoryShelves } from './memory-patient-repository';

/** One tenant's trail, kept like the Redis layout: entries in order, filings, chain heads. */
interface MemoryTrail {
  entries: RawAuditEntry[];
  byId: Map<string, RawAuditEntry>;
  patients: Map<string, string[]>;
  heads: Map<string, string>;
  marks: Map<string, string>;
  writes: Map<string, string>;
}

/**
 * The audit trail in this process's memory (development only: it dies with the process). Events
 * are chained, MACed and checked exactly as in Redis, so both drivers verify alike.
 */
export class MemoryAuditStore
  extends AuditStore
  implements AuditBackend, TrimBackend, TrailSnapshot
{
  readonly chains: AuditChains;
  private readonly trails = new Map<string, MemoryTrail>();
  private lastMs = 0;
  private lastN = 0;

  constructor(
    private readonly shelves: MemoryShelves,
    private readonly key: Buffer,
  ) {
    super();
    this.chains = new AuditChains(key, this, new Logger('Audit'));
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
    await Promise.resolve();
    const trail = this.trails.get(tenant);
    const ids = trail?.patients.get(patientId) ?? [];
    const start = after === undefined ? 0 : upperBound(ids, after);
    const page = ids.slice(start, start + limit);
    const events = page
      .map((id) => trail!.byId.get(id))
      .filter((raw): raw is RawAuditEntry => raw !== undefined)
      .map((raw) => decodeEntry(tenant, raw.id, raw.fields));
    const more = start + limit < ids.length;
    return { events, next: more && page.length > 0 ? page[page.length - 1] : null };
  }

  async readAll(tenant: string, limit: number, after?: string): Promise<AuditPage> {
    assertPage(tenant, limit, after);
    await Promise.resolve();
    const entries = this.trails.get(tenant)?.entries ?? [];
    const ids = entries.map((e) => e.id);
    const start = after === undefined ? 0 : upperBound(ids, after);
    const page = entries.slice(start, start + limit);
    const more = start + limit < entries.length;
    return {
      events: page.map((raw) => decodeEntry(tenant, raw.id, raw.fields)),
      next: more && page.length > 0 ? page[page.length - 1].id : null,
    };
  }

  heads(tenant?: string): Promise<AuditChainHead[]> {
    return Promise.resolve(this.chains.heads(tenant));
  }

  trim(olderThan: Date): Promise<AuditTrimResult> {
    return trimTrails(this, this.chains, this.key, olderThan);
  }

  // The chains' backend.

  /** Whether the chain's stored head is the one the batch expects. */
  headMatches(batch: PreparedBatch): boolean {
    return this.storedHead(batch.tenant, batch.chain) === batch.expectedHead;
  }

  /** Stores a batch (the caller checked the head, in the same synchronous step); its ids. */
  store(batch: PreparedBatch): string[] {
    const trail = this.trail(batch.tenant);
    const fields = entryFieldsOf(batch);
    const ids = batch.events.map((event, i) => {
      const id = this.nextId();
      const raw = { id, fields: fields[i] };
      trail.entries.push(raw);
      trail.byId.set(id, raw);
      for (const patient of event.filed) {
        const filed = trail.patients.get(patient) ?? [];
        filed.push(id);
        trail.patients.set(patient, filed);
      }
      if (event.writeOf !== null) trail.writes.set(event.writeOf, id);
      return id;
    });
    trail.heads.set(batch.chain, batch.newHead);
    return ids;
  }

  commitAppend(batch: PreparedBatch): Promise<CommitOutcome<void>> {
    if (!this.headMatches(batch)) return Promise.resolve({ kind: 'mismatch' });
    return Promise.resolve({ kind: 'stored', ids: this.store(batch), result: undefined });
  }

  readHead(tenant: string, chain: string): Promise<string> {
    return Promise.resolve(this.storedHead(tenant, chain));
  }

  // Retention.

  trailTenants(): Promise<string[]> {
    return Promise.resolve([...this.trails.keys()]);
  }

  oldest(tenant: string, beforeId: string, limit: number): Promise<RawAuditEntry[]> {
    const entries = this.trails.get(tenant)?.entries ?? [];
    const end = entries.findIndex((e) => compareEntryIds(e.id, beforeId) >= 0);
    return Promise.resolve(entries.slice(0, Math.min(limit, end === -1 ? entries.length : end)));
  }

  lastWrites(tenant: string, patientIds: string[]): Promise<Map<string, string>> {
    const writes = this.trails.get(tenant)?.writes ?? new Map<string, string>();
    const found = new Map<string, string>();
    for (const id of patientIds) {
      const last = writes.get(id);
      if (last !== undefined) found.set(id, last);
    }
    return Promise.resolve(found);
  }

  record(tenant: string, id: string): Promise<string | null> {
    if (tenant === NO_TENANT_TRAIL) return Promise.resolve(null);
    return Promise.resolve(this.shelves.of(tenant).values.get(id) ?? null);
  }

  retain(
    tenant: string,
    id: string,
    value: string,
    lastWriteId: string,
    batch: PreparedBatch,
  ): Promise<CommitOutcome<void>> {
    if (!this.headMatches(batch)) return Promise.resolve({ kind: 'mismatch' });
    const unchanged =
      this.shelves.of(tenant).values.get(id) === value &&
      this.trail(tenant).writes.get(id) === lastWriteId;
    if (!unchanged) return Promise.resolve({ kind: 'refused', result: undefined });
    return Promise.resolve({ kind: 'stored', ids: this.store(batch), result: undefined });
  }

  cut(
    tenant: string,
    lastId: string,
    marks: TrimMark[],
    patients: string[],
    erased: Array<[string, string]>,
  ): Promise<void> {
    const trail = this.trail(tenant);
    const keep = (id: string) => compareEntryIds(id, lastId) > 0;
    for (const raw of trail.entries) if (!keep(raw.id)) trail.byId.delete(raw.id);
    trail.entries = trail.entries.filter((raw) => keep(raw.id));
    for (const patient of patients) {
      const filed = trail.patients.get(patient)?.filter(keep) ?? [];
      if (filed.length > 0) trail.patients.set(patient, filed);
      else trail.patients.delete(patient);
    }
    for (const { chain, seq, hash, mac } of marks) {
      const known = Number((trail.marks.get(chain) ?? '0').split(' ')[0]);
      if (seq <= known) continue;
      trail.marks.set(chain, `${seq} ${hash} ${mac}`);
      if (trail.heads.get(chain) === `${seq} ${hash}`) trail.heads.delete(chain);
    }
    for (const [patient, entryId] of erased) {
      if (trail.writes.get(patient) === entryId) trail.writes.delete(patient);
    }
    return Promise.resolve();
  }

  // What the verifier reads.

  tenants(): Promise<string[]> {
    const names = new Set(this.trails.keys());
    for (const [tenant, shelf] of this.shelves.entries())
      if (shelf.values.size > 0) names.add(tenant);
    return Promise.resolve([...names]);
  }

  async *entries(tenant: string, after?: string): AsyncIterable<RawAuditEntry[]> {
    const entries = this.trails.get(tenant)?.entries ?? [];
    const page =
      after === undefined ? entries : entries.filter((e) => compareEntryIds(e.id, after) > 0);
    await Promise.resolve();
    if (page.length > 0) yield [...page];
  }

  storedHeads(tenant: string): Promise<Map<string, string>> {
    return Promise.resolve(new Map(this.trails.get(tenant)?.heads ?? []));
  }

  marks(tenant: string): Promise<Map<string, string>> {
    return Promise.resolve(new Map(this.trails.get(tenant)?.marks ?? []));
  }

  async *records(tenant: string): AsyncIterable<Array<{ id: string; value: string }>> {
    await Promise.resolve();
    if (tenant === NO_TENANT_TRAIL) return;
    const values = [...this.shelves.of(tenant).values].map(([id, value]) => ({ id, value }));
    if (values.length > 0) yield values;
  }

  /** For tests: the tenant's raw entries (to tamper with, as someone with access to the store). */
  rawEntries(tenant: string): RawAuditEntry[] {
    return this.trail(tenant).entries;
  }

  private storedHead(tenant: string, chain: string): string {
    const trail = this.trails.get(tenant);
    const head = trail?.heads.get(chain);
    if (head !== undefined) return head;
    const mark = trail?.marks.get(chain);
    return mark === undefined ? '' : mark.split(' ').slice(0, 2).join(' ');
  }

  private trail(tenant: string): MemoryTrail {
    let trail = this.trails.get(tenant);
    if (!trail) {
      trail = {
        entries: [],
        byId: new Map(),
        patients: new Map(),
        heads: new Map(),
        marks: new Map(),
        writes: new Map(),
      };
      this.trails.set(tenant, trail);
    }
    return trail;
  }

  /** Ids like Redis stream ids: milliseconds, then a counter within the millisecond. */
  private nextId(): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastN = 0;
    } else this.lastN++;
    return `${this.lastMs}-${this.lastN}`;
  }
}

/** First index whose id is after `id`. */
function upperBound(ids: string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntryIds(ids[mid], id) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
