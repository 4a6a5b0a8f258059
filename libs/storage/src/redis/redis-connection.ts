import { Logger } from '@nestjs/common';
import { Cluster, type ChainableCommander, type Redis } from 'ioredis';
import { StorageUnavailableError } from '../storage-errors';
import type { RedisClient } from './create-redis-client';
import { defineScripts, queueScript, type ScriptName } from './redis-scripts';
import { watchConnection, type RedisObserver } from './watch-connection';

export interface RedisConnectionSettings {
  observer?: RedisObserver;
  /**
   * Replicas that must have a write before it is acknowledged (Redis WAIT), so that a failover
   * to one of them cannot lose it. 0: acknowledge when the master has it.
   */
  waitReplicas?: number;
  /** How long to wait for them; a write not confirmed in time fails (503, outcome unknown). */
  waitTimeoutMs?: number;
}

/** Longest the service waits for Redis to answer QUIT at shutdown, hung or not. */
const QUIT_WAIT_MS = 300;

/**
 * The one Redis client the storage adapters share: connects, turns every driver failure into
 * StorageUnavailableError (503), runs the write scripts (with WAIT when asked), and closes.
 */
export class RedisConnection {
  readonly logger = new Logger('RedisStorage');
  /** Whether calls failing while the connection was up were logged (to log it once). */
  private failing = false;
  /** Set when we close the connection ourselves (not a loss to report). */
  private closing = false;
  private readonly observer: RedisObserver;
  private readonly waitReplicas: number;
  private readonly waitTimeoutMs: number;

  constructor(
    readonly client: RedisClient,
    settings: RedisConnectionSettings = {},
  ) {
    this.observer = settings.observer ?? {};
    this.waitReplicas = settings.waitReplicas ?? 0;
    this.waitTimeoutMs = settings.waitTimeoutMs ?? 500;
    defineScripts(client);
    watchConnection(client, this.observer, this.logger, () => this.closing);
  }

  get cluster(): Cluster | null {
    return this.client instanceof Cluster ? this.client : null;
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

  /** The masters, each of which holds a share of the keyspace (one outside Cluster). */
  masters(): Redis[] {
    const cluster = this.cluster;
    if (!cluster) return [this.client as Redis];
    const masters = cluster.status === 'ready' ? cluster.nodes('master') : [];
    if (masters.length === 0) throw new StorageUnavailableError('no cluster master reachable');
    return masters;
  }

  /**
   * Runs one write script. With waitReplicas it is followed by WAIT in the same pipeline, so WAIT
   * runs on the same connection (Cluster: the node holding the keys) and counts the replicas of
   * this very write.
   */
  async script(name: ScriptName, ...args: string[]): Promise<number> {
    return this.run<number>(name, ...args);
  }

  /** Runs one write script (with WAIT, as `script`) and answers its reply as it is. */
  async run<T>(name: ScriptName, ...args: string[]): Promise<T> {
    const [result, replicas] = await this.call(async () => {
      const batch: ChainableCommander = this.client.pipeline();
      queueScript(batch, name, args);
      if (this.waitReplicas > 0) batch.wait(this.waitReplicas, this.waitTimeoutMs);
      const replies = await batch.exec();
      const waited = this.waitReplicas > 0 ? replyAt<number>(replies, 1) : 0;
      return [replyAt<T>(replies, 0), waited] as const;
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

  /** Runs a script that only reads. */
  async read<T>(name: ScriptName, ...args: string[]): Promise<T> {
    const commands = this.client as unknown as Record<ScriptName, (...a: string[]) => Promise<T>>;
    return this.call(() => commands[name](...args));
  }

  /** Runs one Redis call; any driver failure becomes StorageUnavailableError (503). */
  async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      if (this.failing) this.logger.log('redis calls succeed again');
      this.failing = false;
      return result;
    } catch (error) {
      this.observer.commandFailed?.();
      // A lost connection is logged once, with its cause, by watchConnection; calls failing on a
      // connection that is up (timeouts of a hung Redis) are logged here, once per outage.
      if (!this.failing && this.client.status === 'ready') {
        this.logger.warn(`redis calls failing: ${(error as Error).message}`);
        this.failing = true;
      }
      throw new StorageUnavailableError('storage unavailable', error);
    }
  }

  /** Says goodbye if Redis answers at once; never waits long for a hung server. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.race([this.client.quit().catch(() => undefined), delay(QUIT_WAIT_MS)]);
    // Whatever QUIT did: also drops the Sentinel failover detector's connections to the sentinels.
    this.client.disconnect();
  }
}

/** One reply of a pipeline; a command's own error is thrown (and becomes a 503). */
function replyAt<T>(replies: Array<[Error | null, unknown]> | null, index: number): T {
  const reply = replies?.[index];
  if (!reply) throw new Error('no reply');
  if (reply[0]) throw reply[0];
  return reply[1] as T;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
