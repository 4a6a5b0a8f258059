import { RecordCodec } from '../crypto/record-codec';
import {
  PatientDocument,
  PatientPage,
  PatientRepository,
  StoredPatient,
} from '../patient-repository';
import {
  PatientExistsError,
  PatientNotFoundError,
  RecordIntegrityError,
  RevisionMismatchError,
} from '../storage-errors';
import { assertAddress } from '../tenant';

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
  ) {
    super();
  }

  // Async functions run synchronously up to their first await: each change here is atomic.
  async create(tenant: string, id: string, doc: PatientDocument): Promise<StoredPatient> {
    assertAddress(tenant, id);
    const shelf = this.shelves.of(tenant);
    if (shelf.values.has(id)) throw new PatientExistsError(id);
    shelf.values.set(id, this.codec.seal(tenant, id, 1, doc));
    shelf.ids.splice(lowerBound(shelf.ids, id), 0, id);
    return Promise.resolve({ tenant, id, rev: 1, doc });
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
  ): Promise<StoredPatient> {
    const current = await this.findById(tenant, id);
    if (!current) throw new PatientNotFoundError(id);
    if (expectedRev !== undefined && current.rev !== expectedRev) {
      throw new RevisionMismatchError(id, current.rev);
    }
    const rev = current.rev + 1;
    this.shelves.of(tenant).values.set(id, this.codec.seal(tenant, id, rev, doc));
    return { tenant, id, rev, doc };
  }

  async erase(tenant: string, id: string): Promise<boolean> {
    assertAddress(tenant, id);
    const shelf = this.shelves.of(tenant);
    const existed = shelf.values.delete(id);
    if (existed) shelf.ids.splice(lowerBound(shelf.ids, id), 1);
    return Promise.resolve(existed);
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
