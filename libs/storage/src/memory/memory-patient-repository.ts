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

/**
 * Keeps sealed records in this process's memory: the embedded default for exploring the API.
 * Nothing survives a restart. Records are sealed exactly as in Redis, so both adapters behave
 * alike, integrity checks included.
 */
export class MemoryPatientRepository extends PatientRepository {
  private readonly values = new Map<string, string>();
  /** Ids in sorted order, for stable cursor pagination. */
  private readonly ids: string[] = [];

  constructor(private readonly codec: RecordCodec) {
    super();
  }

  create(id: string, doc: PatientDocument): Promise<StoredPatient> {
    if (this.values.has(id)) return Promise.reject(new PatientExistsError(id));
    this.values.set(id, this.codec.seal(id, 1, doc));
    this.ids.splice(lowerBound(this.ids, id), 0, id);
    return Promise.resolve({ id, rev: 1, doc });
  }

  async findById(id: string): Promise<StoredPatient | null> {
    await Promise.resolve();
    const raw = this.values.get(id);
    return raw === undefined ? null : this.codec.open(id, raw);
  }

  async replace(id: string, doc: PatientDocument, expectedRev?: number): Promise<StoredPatient> {
    const current = await this.findById(id);
    if (!current) throw new PatientNotFoundError(id);
    if (expectedRev !== undefined && current.rev !== expectedRev) {
      throw new RevisionMismatchError(id, current.rev);
    }
    const rev = current.rev + 1;
    this.values.set(id, this.codec.seal(id, rev, doc));
    return { id, rev, doc };
  }

  erase(id: string): Promise<boolean> {
    const existed = this.values.delete(id);
    if (existed) this.ids.splice(lowerBound(this.ids, id), 1);
    return Promise.resolve(existed);
  }

  async list(limit: number, after?: string): Promise<PatientPage> {
    const start = after === undefined ? 0 : upperBound(this.ids, after);
    const page = this.ids.slice(start, start + limit);
    const items: StoredPatient[] = [];
    const withheld: string[] = [];
    for (const id of page) {
      try {
        const item = await this.findById(id);
        if (item) items.push(item);
      } catch (error) {
        if (!(error instanceof RecordIntegrityError)) throw error;
        withheld.push(id);
      }
    }
    const more = start + limit < this.ids.length;
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
