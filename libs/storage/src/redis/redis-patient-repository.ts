import { Logger, OnModuleDestroy } from '@nestjs/common';
import { Cluster, type ChainableCommander, type Redis } from 'ioredis';
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

/**
 * Hooks for what the Redis connection goes through, for metrics. They carry no arguments: an
 * error message may name hosts, and nothing about a record may leave through them.
 */
export interface RedisObserver {
  /** The client reported a connection error: refused, reset, TLS failure (cluster nodes too). */
  connectionError?(): void;
  /** A connection that was up went away (or a cluster node was dropped). */
  connectionLost?(): void;
  /** The client connected again after losing its connection (or a cluster node was replaced). */
  reconnected?(): void;
  /** A command failed (timeout, connection lost, refused): the caller answers 503. */
  commandFailed?(): void;
}

export interface RedisRepositoryOptions {
  observer?: RedisObserver;
  /**
   * Replicas that must have a write before it is acknowledged (Redis WAIT), so that a failover
   * to one of them cannot lose it. 0: acknowledge when the master has it.
   */
  waitReplicas?: number;
  /** How long to wait for them; a write not confirmed in time fails (503, outcome unknown). */
  waitTimeoutMs?: number;
}

export class RedisPatientRepository extends PatientRepository implements OnModuleDestroy {
  private readonly logger = new Logger('RedisStorage');
  private readonly scripts: ScriptCommands;
  /** Whether the last call failed (to log an outage once). */
  private failing = false;
  /** Set when we close the connection ourselves (not a loss to report). */
  private closing = false;
  private readonly observer: RedisObserver;
  private readonly waitReplicas: number;
  private readonly waitTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    private readonly codec: RecordCodec,
    options: RedisRepositoryOptions = {},
  ) {
    super();
    this.observer = options.observer ?? {};
    this.waitReplicas = options.waitReplicas ?? 0;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 500;
    client.defineCommand('replaceIfRev', { numberOfKeys: 1, lua: REPLACE_IF_REV });
    client.defineCommand('swapIfEqual', { numberOfKeys: 1, lua: SWAP_IF_EQUAL });
    this.scripts = client as unknown as ScriptCommands;
    this.watchConnection();
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
    await this.write(
      () => this.client.zadd(PATIENT_INDEX_KEY, 0, id),
      (batch) => batch.zadd(PATIENT_INDEX_KEY, 0, id),
    );
    const created = await this.write(
      () => this.client.set(patientKey(id), value, 'NX'),
      (batch) => batch.set(patientKey(id), value, 'NX'),
    );
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
      const outcome = await this.write(
        () => this.scripts.replaceIfRev(patientKey(id), String(base), value),
        (batch) => scriptsOf(batch).replaceIfRev(patientKey(id), String(base), value),
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
    const removed = await this.write(
      () => this.client.del(patientKey(id)),
      (batch) => batch.del(patientKey(id)),
    );
    // Always drop the index entry too, so a retried erase cleans up after a failed one.
    await this.write(
      () => this.client.zrem(PATIENT_INDEX_KEY, id),
      (batch) => batch.zrem(PATIENT_INDEX_KEY, id),
    );
    return removed > 0;
  }

  async list(limit: number, after?: string): Promise<PatientPage> {
    const items: StoredPatient[] = [];
    const withheld: string[] = [];
    let cursor = after;
    // Index entries whose record is gone (a create that failed half-way) are skipped; keep
    // reading until the page is full or the index ends. A record failing its integrity check
    // does not take the whole listing down: it is withheld and named.
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
      const records = await Promise.all(batch.map((id) => this.findReadable(id)));
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
   * the cluster as ok (all slots served), since a record may live on any of them.
   */
  private async findReadable(id: string): Promise<StoredPatient | RecordIntegrityError | null> {
    try {
      return await this.findById(id);
    } catch (error) {
      if (error instanceof RecordIntegrityError) return error;
      throw error;
    }
  }

  async ping(): Promise<void> {
    const client = this.client;
    if (!(client instanceof Cluster)) {
      await this.call(() => client.ping());
      return;
    }
    const masters = client.status === 'ready' ? client.nodes('master') : [];
    if (masters.length === 0) throw new StorageUnavailableError('no cluster master reachable');
    const states = await this.call(() => Promise.all(masters.map((node) => node.cluster('INFO'))));
    if (!states.every((info) => /^cluster_state:ok\s*$/m.test(info))) {
      throw new StorageUnavailableError('the cluster does not serve every slot');
    }
  }

  /** How many ids the index holds (for progress reports). */
  async countIndexed(): Promise<number> {
    return this.call(() => this.client.zcard(PATIENT_INDEX_KEY));
  }

  /** Up to `count` indexed ids after `after`, in order (for commands walking every record). */
  async indexedIdsAfter(after: string | undefined, count: number): Promise<string[]> {
    const start = after === undefined ? '-' : `(${after}`;
    return this.call(() =>
      this.client.zrangebylex(PATIENT_INDEX_KEY, start, '+', 'LIMIT', 0, count),
    );
  }

  /**
   * Re-seals one record under the active key, keeping its revision. Atomic: the new value only
   * replaces the exact value that was read, so a concurrent update is never overwritten.
   */
  async rekey(id: string): Promise<'rotated' | 'current' | 'missing'> {
    for (;;) {
      const raw = await this.call(() => this.client.get(patientKey(id)));
      if (raw === null) return 'missing';
      if (this.codec.keyIdOf(id, raw) === this.codec.activeKeyId) return 'current';
      const { rev, doc } = this.codec.open(id, raw);
      const sealed = this.codec.seal(id, rev, doc);
      const swapped = await this.write(
        () => this.scripts.swapIfEqual(patientKey(id), raw, sealed),
        (batch) => scriptsOf(batch).swapIfEqual(patientKey(id), raw, sealed),
      );
      if (swapped === 1) return 'rotated';
      // Changed meanwhile (an update, already under the active key): look again.
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    try {
      await this.client.quit();
    } catch {
      // Closed without a goodbye, then.
    }
    // QUIT leaves the Sentinel failover detector's connections to the sentinels open.
    this.client.disconnect();
  }

  /**
   * Runs one write: `command` alone, or with waitReplicas, `queued` followed by WAIT in one
   * pipeline, so WAIT runs on the same connection (Cluster: the node holding the key) and counts
   * the replicas of this very write.
   */
  private async write<T>(
    command: () => Promise<T>,
    queued: (batch: ChainableCommander) => unknown,
  ): Promise<T> {
    if (this.waitReplicas === 0) return this.call(command);
    const [result, replicas] = await this.call(async () => {
      const batch = this.client.pipeline();
      queued(batch);
      batch.wait(this.waitReplicas, this.waitTimeoutMs);
      const replies = await batch.exec();
      return [replyAt<T>(replies, 0), replyAt<number>(replies, 1)] as const;
    });
    if (replicas < this.waitReplicas) {
      // Applied on the master, not yet on enough replicas: a failover now could undo it, so it is
      // not acknowledged (503: outcome unknown, as when a connection drops mid-command).
      this.observer.commandFailed?.();
      throw new StorageUnavailableError(
        `write confirmed by ${replicas} of ${this.waitReplicas} replicas in time`,
      );
    }
    return result;
  }

  /** Runs one Redis call; any driver failure becomes StorageUnavailableError (503). */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      if (this.failing) this.logger.log('redis calls succeed again');
      this.failing = false;
      return result;
    } catch (error) {
      this.observer.commandFailed?.();
      // Once per outage, not once per request: under load that would flood the log.
      if (!this.failing) this.logger.warn(`redis calls failing: ${(error as Error).message}`);
      this.failing = true;
      throw new StorageUnavailableError('storage unavailable', error);
    }
  }

  /** Logs each outage once (ioredis would print every failed reconnect) and feeds the observer. */
  private watchConnection(): void {
    const client = this.client;
    let reported = false;
    let everReady = false;
    let up = false;
    const failed = (error: Error) => {
      this.observer.connectionError?.();
      if (!reported) this.logger.warn(`redis connection error: ${error.message}`);
      reported = true;
    };
    client.on('error', failed);
    client.on('ready', () => {
      if (everReady) this.observer.reconnected?.();
      if (reported) this.logger.log('redis connection restored');
      reported = false;
      everReady = true;
      up = true;
    });
    client.on('close', () => {
      if (up && !this.closing) this.observer.connectionLost?.();
      up = false;
    });
    if (!(client instanceof Cluster)) {
      // The client retries forever by itself; should it still give up ('end') while we are not
      // closing it, start it again rather than answer 503 until the process restarts.
      client.on('end', () => {
        if (this.closing) return;
        this.logger.warn('redis client stopped reconnecting; starting it again');
        setTimeout(() => {
          if (!this.closing) client.connect().catch(() => undefined);
        }, 1000).unref();
      });
    }
    if (client instanceof Cluster) {
      // Cluster node connections do not reconnect: a lost node is dropped, and a new connection
      // is opened to whichever node serves its slots now.
      client.on('node error', failed);
      client.on('-node', () => {
        if (everReady && !this.closing) this.observer.connectionLost?.();
      });
      client.on('+node', (node: Redis) => {
        if (everReady) node.once('ready', () => this.observer.reconnected?.());
      });
    }
  }
}

/** The defined scripts, queued on a pipeline (ioredis adds them to pipelines too). */
function scriptsOf(batch: ChainableCommander): {
  replaceIfRev(key: string, expectedRev: string, value: string): ChainableCommander;
  swapIfEqual(key: string, expected: string, value: string): ChainableCommander;
} {
  return batch as unknown as ReturnType<typeof scriptsOf>;
}

/** One reply of a pipeline; a command's own error is thrown (and becomes a 503). */
function replyAt<T>(replies: Array<[Error | null, unknown]> | null, index: number): T {
  const reply = replies?.[index];
  if (!reply) throw new Error('no reply');
  if (reply[0]) throw reply[0];
  return reply[1] as T;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
