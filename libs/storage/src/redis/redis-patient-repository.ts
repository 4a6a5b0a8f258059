import { Logger, OnModuleDestroy } from '@nestjs/common';
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
  StorageUnavailableError,
} from '../storage-errors';
import type { RedisClient } from './create-redis-client';

/** Keys: one string per patient, and one sorted set of ids for ordered listing. */
export const patientKey = (id: string): string => `patient:${id}`;
export const PATIENT_INDEX_KEY = 'patients:index';

/**
 * Replaces a record if its stored revision is ARGV[1]. Returns 0 when replaced, -1 when the key
 * does not exist, -2 when the stored value is not an envelope, else the stored revision.
 * One key only, so it runs on any Cluster node.
 */
const REPLACE_IF_REV = `
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local ok, envelope = pcall(cjson.decode, raw)
if not ok or type(envelope) ~= 'table' or type(envelope['rev']) ~= 'number' then return -2 end
if envelope['rev'] ~= tonumber(ARGV[1]) then return envelope['rev'] end
redis.call('SET', KEYS[1], ARGV[2])
return 0
`;

/** Replaces a value only if it is still exactly ARGV[1] (used by key rotation). */
const SWAP_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

interface ScriptCommands {
  replaceIfRev(key: string, expectedRev: string, value: string): Promise<number>;
  swapIfEqual(key: string, expected: string, value: string): Promise<number>;
}

/** How many times a replace without If-Match retries when it races another writer. */
const REPLACE_ATTEMPTS = 8;

export class RedisPatientRepository extends PatientRepository implements OnModuleDestroy {
  private readonly logger = new Logger('RedisStorage');
  private readonly scripts: ScriptCommands;

  constructor(
    private readonly client: RedisClient,
    private readonly codec: RecordCodec,
  ) {
    super();
    client.defineCommand('replaceIfRev', { numberOfKeys: 1, lua: REPLACE_IF_REV });
    client.defineCommand('swapIfEqual', { numberOfKeys: 1, lua: SWAP_IF_EQUAL });
    this.scripts = client as unknown as ScriptCommands;
    // Without a listener ioredis prints every failed reconnect; log each outage once instead.
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) this.logger.warn(`redis connection error: ${error.message}`);
      reported = true;
    });
    client.on('ready', () => {
      if (reported) this.logger.log('redis connection restored');
      reported = false;
    });
  }

  /** Connects in the background; the API boots (and answers 503) while Redis is not up yet. */
  async connect(waitMs: number): Promise<boolean> {
    this.client.connect().catch(() => {
      // Reported by the 'error' listener; ioredis keeps retrying with backoff.
    });
    const ready = new Promise<boolean>((resolve) => {
      if (this.client.status === 'ready') return resolve(true);
      this.client.once('ready', () => resolve(true));
    });
    return Promise.race([ready, delay(waitMs).then(() => false)]);
  }

  async create(id: string, doc: PatientDocument): Promise<StoredPatient> {
    const value = this.codec.seal(id, 1, doc);
    // Index first: a crash in between leaves an index entry without a record (skipped by list),
    // never a record that no listing shows.
    await this.call(() => this.client.zadd(PATIENT_INDEX_KEY, 0, id));
    const created = await this.call(() => this.client.set(patientKey(id), value, 'NX'));
    if (created !== 'OK') throw new PatientExistsError(id);
    return { id, rev: 1, doc };
  }

  async findById(id: string): Promise<StoredPatient | null> {
    const raw = await this.call(() => this.client.get(patientKey(id)));
    return raw === null ? null : this.codec.open(id, raw);
  }

  async replace(id: string, doc: PatientDocument, expectedRev?: number): Promise<StoredPatient> {
    for (let attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
      let base = expectedRev;
      if (base === undefined) {
        const current = await this.findById(id);
        if (!current) throw new PatientNotFoundError(id);
        base = current.rev;
      }
      const rev = base + 1;
      const value = this.codec.seal(id, rev, doc);
      const outcome = await this.call(() =>
        this.scripts.replaceIfRev(patientKey(id), String(base), value),
      );
      if (outcome === 0) return { id, rev, doc };
      if (outcome === -1) throw new PatientNotFoundError(id);
      if (outcome === -2) throw new RecordIntegrityError(id, 'stored value is not an envelope');
      if (expectedRev !== undefined) throw new RevisionMismatchError(id, outcome);
      // Without If-Match the caller asked for last-writer-wins: retry on the newer revision.
    }
    throw new StorageUnavailableError('too much contention on one record');
  }

  async erase(id: string): Promise<boolean> {
    const removed = await this.call(() => this.client.del(patientKey(id)));
    // Always drop the index entry too, so a retried erase cleans up after a failed one.
    await this.call(() => this.client.zrem(PATIENT_INDEX_KEY, id));
    return removed > 0;
  }

  async list(limit: number, after?: string): Promise<PatientPage> {
    const items: StoredPatient[] = [];
    let cursor = after;
    // Index entries whose record is gone (a create that failed half-way) are skipped; keep
    // reading until the page is full or the index ends.
    for (;;) {
      const want = limit - items.length;
      const ids = await this.call(() =>
        this.client.zrangebylex(
          PATIENT_INDEX_KEY,
          cursor === undefined ? '-' : `(${cursor}`,
          '+',
          'LIMIT',
          0,
          want + 1,
        ),
      );
      const batch = ids.slice(0, want);
      const records = await Promise.all(batch.map((id) => this.findById(id)));
      for (const record of records) if (record) items.push(record);
      if (ids.length <= want) return { items, nextAfter: null };
      cursor = batch[batch.length - 1];
      if (items.length >= limit) return { items, nextAfter: cursor };
    }
  }

  async ping(): Promise<void> {
    await this.call(() => this.client.ping());
  }

  /**
   * Rewrites `raw` (the value just read for `id`) as `value`, unless someone changed it since.
   * For key rotation; true when swapped.
   */
  async swapIfUnchanged(id: string, raw: string, value: string): Promise<boolean> {
    return (await this.call(() => this.scripts.swapIfEqual(patientKey(id), raw, value))) === 1;
  }

  async onModuleDestroy(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Runs one Redis call; any driver failure becomes StorageUnavailableError (503). */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      this.logger.warn(`redis call failed: ${(error as Error).message}`);
      throw new StorageUnavailableError('storage unavailable', error);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
