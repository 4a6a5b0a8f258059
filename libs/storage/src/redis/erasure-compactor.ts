import type { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection';
import { delay } from './redis-connection';
import { indexKey } from './redis-key-layout';

/** Pause before asking again when a rewrite cannot start or did not succeed. */
const RETRY_MS = 1000;
/** How often a started rewrite is checked until it has finished. */
const CHECK_MS = 500;
/** At shutdown, how long a pending compaction may delay the exit. */
const FLUSH_WAIT_MS = 300;

type Attempt = 'done' | 'retry';

/**
 * After an erasure the record is gone from Redis's memory, but its SET (id and whole envelope)
 * is still in the append-only file until Redis rewrites it. This asks the master that held the
 * record (in Cluster: the one owning the tenant's slot) for BGREWRITEAOF within `delayMs` of the
 * first erasure since the last rewrite, so many erasures cost one rewrite; 0: at once. A rewrite
 * that cannot start (one is running, Redis is down) or fails is asked for again.
 */
export class ErasureCompactor {
  /** Tenants erased from since the last rewrite was asked for. */
  private readonly pending = new Set<string>();
  /** When the pending tenants' rewrite is due (the first erasure's time + delayMs). */
  private dueAt: number | null = null;
  private readonly slots = new Map<string, number>();
  private readonly aofOffReported = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private postponedReported = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly delayMs: number,
  ) {}

  /** Called after each erasure that removed a record. */
  erased(tenant: string): void {
    if (this.stopped) return;
    this.pending.add(tenant);
    this.dueAt ??= Date.now() + this.delayMs;
    this.schedule();
  }

  /** At shutdown: asks for a pending rewrite now, without delaying the exit for long. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const work = this.running ?? (this.pending.size > 0 ? this.run() : null);
    if (work) await Promise.race([work, delay(FLUSH_WAIT_MS)]);
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped || this.pending.size === 0) return;
    const wait = Math.max(0, (this.dueAt ?? 0) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, wait);
    this.timer.unref();
  }

  private run(): Promise<void> {
    // Erasures that arrive while it runs may come after the rewrite began: they get another.
    const work = this.compact().finally(() => {
      this.running = null;
      this.schedule();
    });
    this.running = work;
    return work;
  }

  private async compact(): Promise<void> {
    const tenants = [...this.pending];
    this.pending.clear();
    this.dueAt = null;
    const again: string[] = [];
    try {
      for (const { node, label, held } of await this.mastersHolding(tenants, again)) {
        if ((await this.rewrite(node, label)) === 'retry') again.push(...held);
      }
      this.postponedReported = false;
    } catch (error) {
      again.push(...tenants);
      if (!this.postponedReported) {
        this.redis.logger.warn(`erasure compaction postponed: ${(error as Error).message}`);
      }
      this.postponedReported = true;
    }
    if (again.length === 0 || this.stopped) return;
    for (const tenant of again) this.pending.add(tenant);
    this.dueAt = Math.min(this.dueAt ?? Infinity, Date.now() + RETRY_MS);
  }

  /** BGREWRITEAOF on one master, then waits until it has finished. */
  private async rewrite(node: Redis, label: string): Promise<Attempt> {
    const info = await node.info('persistence');
    if (/^aof_enabled:0\s*$/m.test(info)) {
      if (!this.aofOffReported.has(label)) {
        this.redis.logger.warn(
          `appendonly is off on redis ${label}: nothing to rewrite after erasures, but any RDB ` +
            'snapshot keeps erased records until the next snapshot replaces it',
        );
      }
      this.aofOffReported.add(label);
      return 'done';
    }
    try {
      await node.bgrewriteaof();
    } catch (error) {
      // A rewrite already running may have begun before the erasure: ask again once it is over.
      if (/already in progress/i.test((error as Error).message)) return 'retry';
      throw error;
    }
    for (;;) {
      if (this.stopped) return 'done';
      await delay(CHECK_MS);
      const state = await node.info('persistence');
      if (/^aof_rewrite_in_progress:1/m.test(state) || /^aof_rewrite_scheduled:1/m.test(state)) {
        continue;
      }
      if (/^aof_last_bgrewrite_status:ok/m.test(state)) {
        this.redis.logger.log(`append-only file rewritten after erasures on redis ${label}`);
        return 'done';
      }
      this.redis.logger.warn(`append-only file rewrite failed on redis ${label}; retrying`);
      return 'retry';
    }
  }

  /** The masters that hold these tenants' slots; tenants whose master is unknown go to `again`. */
  private async mastersHolding(
    tenants: string[],
    again: string[],
  ): Promise<Array<{ node: Redis; label: string; held: string[] }>> {
    const cluster = this.redis.cluster;
    if (!cluster) return [{ node: this.redis.client as Redis, label: 'master', held: tenants }];
    const byLabel = new Map<string, { node: Redis; label: string; held: string[] }>();
    const masters = cluster.nodes('master');
    for (const tenant of tenants) {
      const owner = cluster.slots[await this.slotOf(cluster, tenant)]?.[0];
      const node = masters.find((n) => `${n.options.host}:${n.options.port}` === owner);
      if (!owner || !node) {
        again.push(tenant);
        continue;
      }
      const entry = byLabel.get(owner) ?? { node, label: owner, held: [] };
      entry.held.push(tenant);
      byLabel.set(owner, entry);
    }
    return [...byLabel.values()];
  }

  private async slotOf(cluster: Cluster, tenant: string): Promise<number> {
    let slot = this.slots.get(tenant);
    if (slot === undefined) {
      slot = Number(await cluster.cluster('KEYSLOT', indexKey(tenant)));
      this.slots.set(tenant, slot);
    }
    return slot;
  }
}
