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
} from '../storage-errors';
import { assertAddress } from '../tenant';
import type { MemoryAuditStore } from './memory-audit-store';

/** One tenant's sealed records, and its ids in sorted order for stable cursor pagination. */
interface Shelf {
  values: Map<string, string>;
  ids: string[];
}

/** Every tenant's shelf, shared by the memory adapters. */
export class MemoryShelves {
  private readonly shelves = new Map<string, Shelf>();

  of(tenant: string): Shelf {
    assertAddress(tenant);
    let shelf = this.shelves.get(tenant);
    if (!shelf) {
      shelf = { values: new Map(), ids: [] };
      this.shelves.set(tenant, shelf);
    }
    return shelf;
  }

  entries(): IterableIterator<[string, Shelf]> {
    return this.shelves.entries();
  }
}

/**
 * Keeps sealed records in this process's memory: the embedded default for exploring the API.
 * Nothing survives a restart. Records are sealed exactly as in Redis, so both adapters behave
 * alike, integrity checks included.
 */
export class MemoryPatientRepository extends PatientRepository {
  constructor(
    private readonly shelves: MemoryShelves,
    private readonly codec: RecordCodec,
    private readonly trail: MemoryAuditStore,
  ) {
    super();
  }

  async create(
    tenant: string,
    id: string,
    doc: PatientDocument,
    audit?: AuditRecordInput,
  ): Promise<WrittenPatient> {
    assertAddress(tenant, id);
    const shelf = this.shelves.of(tenant);
    const value = this.codec.seal(tenant, id, 1, doc);
    const { applied, stored } = await this.change(tenant, id, value, audit, () => {
      if (shelf.values.has(id)) return false;
      shelf.values.set(id, value);
      shelf.ids.splice(lowerBound(shelf.ids, id), 0, id);
      return true;
    });
    if (!applied) throw new PatientExistsError(id);
    return { tenant, id, rev: 1, doc, ...stored };
  }

  async findById(tenant: string, id: string): Promise<StoredPatient | null> {
    assertAddress(tenant, id);
    await Promise.resolve();
    const raw = this.shelves.of(tenant).values.get(id);
    return raw === undefined ? null : this.codec.open(tenant, id, raw);
  }

  async replace(
    tenant: string,
    id: string,
    doc: PatientDocument,
    expectedRev?: number,
    audit?: AuditRecordInput,
  ): Promise<WrittenPatient> {
    const shelf = this.shelves.of(tenant);
    for (;;) {
      const current = await this.findById(tenant, id);
      if (!current) throw new PatientNotFoundError(id);
      if (expectedRev !== undefined && current.rev !== expectedRev) {
        throw new RevisionMismatchError(id, current.rev);
      }
      const rev = current.rev + 1;
      const value = this.codec.seal(tenant, id, rev, doc);
      // Another change may come first while the event waits for its chain's turn: look again.
      const { applied, stored } = await this.change(tenant, id, value, audit, () => {
        const now = shelf.values.get(id);
        if (now === undefined || this.codec.revisionOf(id, now) !== current.rev) return false;
        shelf.values.set(id, value);
        return true;
      });
      if (applied) return { tenant, id, rev, doc, ...stored };
    }
  }

  async erase(tenant: string, id: string, audit?: AuditRecordInput): Promise<ErasedPatient | null> {
    assertAddress(tenant, id);
    const shelf = this.shelves.of(tenant);
    const { applied, stored } = await this.change(tenant, id, null, audit, () => {
      if (!shelf.values.delete(id)) return false;
      shelf.ids.splice(lowerBound(shelf.ids, id), 1);
      return true;
    });
    return applied ? { tenant, id, ...stored } : null;
  }

  /**
   * Applies a change (synchronously, so nothing comes in between) and, with `audit`, stores its
   * event in the same step, in the chain's turn. `value` is what is stored (null: an erasure).
   */
  async change(
    tenant: string,
    id: string,
    value: string | null,
    audit: AuditRecordInput | undefined,
    apply: () => boolean,
  ): Promise<{ applied: boolean; stored: Pick<WrittenPatient, 'audit'> }> {
    if (!audit) return { applied: apply(), stored: {} };
    const digest = value === null ? null : recordDigest(value);
    const { result, stored } = await this.trail.chains.write(tenant, id, audit, digest, (batch) => {
      if (!this.trail.headMatches(batch)) return Promise.resolve({ kind: 'mismatch' });
      if (!apply()) return Promise.resolve({ kind: 'refused', result: false });
      return Promise.resolve({ kind: 'stored', ids: this.trail.store(batch), result: true });
    });
    return { applied: result, stored: stored ? { audit: stored } : {} };
  }

  async list(tenant: string, limit: number, after?: string): Promise<PatientPage> {
    const { ids } = this.shelves.of(tenant);
    const start = after === undefined ? 0 : upperBound(ids, after);
    const page = ids.slice(start, start + limit);
    const items: StoredPatient[] = [];
    const withheld: string[] = [];
    for (const id of page) {
      try {
        const item = await this.findById(tenant, id);
        if (item) items.push(item);
      } catch (error) {
        if (!(error instanceof RecordIntegrityError)) throw error;
        withheld.push(id);
      }
    }
    const more = start + limit < ids.length;
    return { items, nextAfter: more && page.length > 0 ? page[page.length - 1] : null, withheld };
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }
}

/** First index whose id is >= `id` (ids compare by UTF-16 code units, like Redis by bytes for ASCII ids). */
function lowerBound(ids: string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(ids: string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
